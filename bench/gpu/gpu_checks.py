"""Check and time the GPU paths on a CUDA machine (called by bench/gpu/run.sh, at most 8 minutes):

1. mixed precision (bf16, fp16), channels-last and torch.compile through the real training loop;
2. airbench94 to 94 % on CIFAR-10 when the data is present ($CIFAR10_DIR or
   ~/data/cifar-10-batches-bin), else its training throughput on random images;
3. ResNet-18 training throughput, eager against torch.compile;
4. a 2-GPU DDP run through `convstudio train --nproc-per-node 2` when two GPUs are present.

`--smoke` runs every section briefly on the CPU (no compile): the script's own test.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from runtime.compile import build_model  # noqa: E402
from runtime.training import EpochMetrics, Finished, StepMetrics, train  # noqa: E402
from runtime.zoo.classic import lenet5  # noqa: E402
from runtime.zoo.efficient import airbench94  # noqa: E402
from runtime.project import load_project  # noqa: E402

SMOKE = "--smoke" in sys.argv
DEVICE = "cpu" if SMOKE else "cuda"


def say(text: str) -> None:
    print(text, flush=True)


def cifar_folder() -> Path | None:
    """Where the CIFAR-10 binary batches are, if anywhere."""
    for candidate in (os.environ.get("CIFAR10_DIR"), "~/data/cifar-10-batches-bin"):
        if candidate and (Path(candidate).expanduser() / "data_batch_1.bin").is_file():
            return Path(candidate).expanduser()
    return None


def loop_paths() -> None:
    """LeNet-5 on MNIST for a few hundred steps per variant: finite loss, samples/s."""
    variants = [("fp32", False, False), ("bf16", False, False), ("fp16", False, False)]
    variants += [("bf16", True, False)] + ([] if SMOKE else [("bf16", True, True)])
    for precision, channels_last, compiled in variants:
        p = lenet5()
        p.data = {"source": "mnist", "validation": 1000}
        p.training = {"epochs": 1, "batch_size": 256 if not SMOKE else 64, "log_every": 5}
        rates, finished, t0 = [], None, time.perf_counter()
        for e in train(
            p,
            device=DEVICE,
            precision=precision,
            channels_last=channels_last,
            compile=compiled,
            probe_seconds=3600.0,
        ):
            if isinstance(e, StepMetrics):
                rates.append(e.samples_per_s)
            elif isinstance(e, EpochMetrics):
                acc = e.val_accuracy
            elif isinstance(e, Finished):
                finished = e
        ok = finished.status == "completed" and math.isfinite(rates[-1] if rates else math.nan)
        rate = sorted(rates[1:] or rates)[len(rates[1:] or rates) // 2]
        say(
            f"  {'OK  ' if ok else 'FAIL'} {precision:4s} channels_last={channels_last!s:5s} "
            f"compile={compiled!s:5s}: {rate:9.0f} samples/s, val acc {acc:.2%} "
            f"({time.perf_counter() - t0:.0f} s incl. setup)"
        )


def airbench() -> None:
    """airbench94's network: to 94 % on CIFAR-10 if present, else throughput on random data."""
    folder = cifar_folder()
    if folder is None or SMOKE:
        model = build_model(airbench94(), 0).to(DEVICE, memory_format=torch.channels_last)
        rate = throughput(model, (3, 32, 32), 512 if not SMOKE else 16, compiled=False)
        say(f"  no CIFAR-10 found (set CIFAR10_DIR): throughput only, {rate:,.0f} samples/s bf16")
        return
    p = airbench94()
    p.data = {"source": "cifar10", "path": str(folder), "validation": 10000}
    p.data["augment"] = {"crop_padding": 2, "flip": True}
    p.training = {
        "epochs": 16,
        "batch_size": 1024,
        "optimizer": "nesterov",
        "lr": 0.4,
        "momentum": 0.85,
        "weight_decay": 5e-4,
        "schedule": "one_cycle",
        "label_smoothing": 0.2,
        "precision": "bf16",
        "channels_last": True,
        "log_every": 25,
        "probe_seconds": 3600.0,
    }
    t0, reached = time.perf_counter(), None
    for e in train(p, device="cuda"):
        if isinstance(e, EpochMetrics):
            t = time.perf_counter() - t0
            say(f"  epoch {e.epoch:2d}: val acc {e.val_accuracy:.2%} at {t:.0f} s")
            if reached is None and e.val_accuracy >= 0.94:
                reached = t
    verdict = f"94 % reached at {reached:.0f} s" if reached else "94 % NOT reached"
    say(f"  airbench94: {verdict}")


def throughput(model, shape, batch: int, compiled: bool, steps: int = 30) -> float:
    """Training samples/s (bf16 autocast on CUDA) of `model` on random images."""
    step_model = torch.compile(model) if compiled else model
    opt = torch.optim.SGD(model.parameters(), 0.01, momentum=0.9)
    x = torch.randn(batch, *shape, device=DEVICE).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (batch,), device=DEVICE)
    use_amp = DEVICE == "cuda"

    def step() -> None:
        with torch.autocast(DEVICE, torch.bfloat16, enabled=use_amp):
            loss = torch.nn.functional.cross_entropy(step_model(x).float()[:, :10], y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(3 if not SMOKE else 1):  # warm-up (and compilation)
        step()
    sync = torch.cuda.synchronize if use_amp else (lambda: None)
    sync()
    t = time.perf_counter()
    for _ in range(steps if not SMOKE else 2):
        step()
    sync()
    return batch * (steps if not SMOKE else 2) / (time.perf_counter() - t)


def resnet18() -> None:
    """ResNet-18 (224×224) training throughput, eager against compiled."""
    batch = 128 if not SMOKE else 2
    rates = {}
    for compiled in (False,) if SMOKE else (False, True):
        model = build_model(load_project(ROOT / "assets/templates/resnet18.json"), 0)
        model = model.to(DEVICE, memory_format=torch.channels_last)
        rates[compiled] = throughput(model, (3, 224, 224), batch, compiled)
        say(f"  ResNet-18 {'compiled' if compiled else 'eager   '}: {rates[compiled]:8.0f} img/s")
    if True in rates:
        say(f"  compiled / eager: {rates[True] / rates[False]:.2f}×")


def ddp() -> None:
    """Two GPUs: LeNet-5 through convstudio train --nproc-per-node 2."""
    if not SMOKE and torch.cuda.device_count() < 2:
        say(f"  {torch.cuda.device_count()} GPU: no DDP run")
        return
    with tempfile.TemporaryDirectory() as folder:
        p = lenet5()
        p.data = {"source": "mnist", "validation": 1000}
        p.training = {"epochs": 2, "batch_size": 128, "precision": "bf16", "device": DEVICE}
        path = p.save(Path(folder) / "lenet.json")
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "runtime", "train", str(path), "--nproc-per-node", "2"]
            + ["--no-record", "--out", str(Path(folder) / "out")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            check=False,
        )
        took = time.perf_counter() - t0
        if done.returncode:
            say(f"  FAIL DDP: {done.stderr.strip().splitlines()[-1:]}")
            return
        summary = json.loads((Path(folder) / "out" / "summary.json").read_text())
        say(f"  OK   DDP 2 GPUs: {summary['message']} in {took:.0f} s")


def main() -> None:
    if not SMOKE and not torch.cuda.is_available():
        say("bench/gpu: no CUDA device here; run it on a CUDA machine (or --smoke on the CPU)")
        sys.exit(1)
    where = "CPU smoke run" if SMOKE else torch.cuda.get_device_name()
    say(f"torch {torch.__version__} on {where}, {torch.cuda.device_count()} GPU(s)")
    for title, section in (
        ("training loop: mixed precision, channels-last, torch.compile", loop_paths),
        ("airbench94", airbench),
        ("ResNet-18 throughput", resnet18),
        ("DDP", ddp),
    ):
        t0 = time.perf_counter()
        say(title)
        section()
        say(f"  ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
