"""Measure distributed training on this machine (CPUs, gloo), side by side in one run:

1. scaling: samples/s of 2 processes against 1 (same batch per process, LeNet-5 on MNIST);
2. the share of a training step spent in the gradient all-reduce (steps with and without it);
3. the overhead of the distributed wrapper in 1 process against the plain loop (target <= 1.03).

Usage: python bench/bench_distributed.py   (under a minute on two idle cores)
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import torch
import torch.multiprocessing as tmp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime.training import StepMetrics, train  # noqa: E402
from runtime.training.distributed import World  # noqa: E402
from runtime.zoo.classic import lenet5  # noqa: E402

BATCH = 32
TRAIN = 1600


def project():
    """LeNet-5 on 1,600 bundled MNIST digits, plain SGD, no augmentation."""
    p = lenet5()
    p.data = {"source": "mnist", "validation": 5000 - TRAIN, "augment": {"crop_padding": 0}}
    p.training = {
        "epochs": 1,
        "batch_size": BATCH,
        "optimizer": "sgd",
        "lr": 0.05,
        "schedule": "constant",
        "device": "cpu",
        "threads": 1,
        "log_every": 10,
        "probe_seconds": 3600.0,
    }
    return p


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rate(world: World | None, epochs: int) -> float:
    """Global samples/s over the step reports after the first (warm-up excluded)."""
    rates = [
        e.samples_per_s
        for e in train(project(), world=world, epochs=epochs)
        if isinstance(e, StepMetrics)
    ]
    return sorted(rates[1:])[len(rates[1:]) // 2]


def _worker(rank: int, size: int, port: int, results) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    rate = _rate(World(rank, size), 1)
    share = _collective_share(rank, size, port + 1) if size > 1 else 0.0
    if rank == 0:
        results.put((rate, share))


def _collective_share(rank: int, size: int, port: int) -> float:
    """1 - (step time without the all-reduce) / (step time with it), median of 30 steps each."""
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    from runtime.compile import build_model

    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=size)
    model = DistributedDataParallel(build_model(project(), 0))
    x, y = torch.randn(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))

    def step() -> float:
        t = time.perf_counter()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        return time.perf_counter() - t

    times = {True: [], False: []}
    for i in range(60):
        sync = i % 2 == 0
        if sync:
            times[True].append(step())
        else:
            with model.no_sync():
                times[False].append(step())
    dist.barrier()
    dist.destroy_process_group()
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    return 1 - med[False] / med[True]


def _launch(size: int) -> tuple[float, float]:
    ctx = tmp.get_context("spawn")
    results = ctx.Queue()
    tmp.start_processes(
        _worker, (size, _free_port(), results), nprocs=size, start_method="spawn", join=True
    )
    return results.get()


def _overhead() -> float:
    """Plain loop time per sample over the 1-process distributed loop's, best of 2 alternations."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()))
    torch.set_num_threads(1)
    plain, wrapped = [], []
    for _ in range(2):
        plain.append(_rate(None, 1))
        wrapped.append(_rate(World(0, 1), 1))
    return max(plain) / max(wrapped)


def main() -> None:
    t0 = time.perf_counter()
    one, _ = _launch(1)
    two, share = _launch(2)
    ratio = _overhead()
    print(
        f"LeNet-5, batch {BATCH} per process, {TRAIN} MNIST digits, gloo on {os.cpu_count()} CPUs"
    )
    print(f"1 process:  {one:8.0f} samples/s")
    print(f"2 processes: {two:8.0f} samples/s  scaling {two / one:.2f}× (ideal 2.00×)")
    print(f"gradient all-reduce: {share:.0%} of a step with 2 processes")
    print(f"distributed wrapper in 1 process vs the plain loop: {ratio:.3f}× time (target <= 1.03)")
    print(f"took {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
