"""Measure segmentation: unet_small on the bundled demo, and what the metrics cost per step.

1. Trains the unet_small template (its own data and recipe) on 2 threads and prints, per epoch,
   wall-clock and CPU time since training started (the demo's generation is timed apart), the
   validation mIoU and pixel accuracy, and when mIoU first reached 0.85. On a shared machine the
   wall clock includes other people's work: CPU seconds ÷ 2 is the time 2 free cores would take.
2. Times the training step alone against the step plus the per-step metrics (pixel accuracy)
   and the validation confusion matrix of the batch, side by side, interleaved, at 128×128.

Usage: python bench/bench_segmentation.py [--metrics-only] [--whole] [key=value ...] (training
overrides; --whole trains every epoch of the recipe instead of stopping at the target)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime.compile import build_model  # noqa: E402
from runtime.data.settings import parse_data  # noqa: E402
from runtime.project import load_project  # noqa: E402
from runtime.segmentation.metrics import (  # noqa: E402
    confusion,
    correct_pixels,
    predicted_classes,
)
from runtime.segmentation.source import load_masks  # noqa: E402
from runtime.training import Control, EpochMetrics, Finished, train  # noqa: E402

TEMPLATE = Path(__file__).resolve().parents[1] / "assets" / "templates" / "unet_small.json"
TARGET = 0.85
THREADS = 2


def train_to_target(overrides: dict, whole: bool = False) -> None:
    """Train unet_small and print when validation mIoU first reaches TARGET (then stop, unless
    `whole`: the whole curve)."""
    project = load_project(TEMPLATE)
    settings = parse_data(project.data, project.input_shape)
    t0 = time.perf_counter()
    load_masks(settings, project.input_shape)
    print(f"demo generation: {time.perf_counter() - t0:.1f} s wall (also done inside the run)")
    print(f"torch {torch.__version__}, {THREADS} threads; training {project.training}")
    print(f"at the start: {load_text()}")
    start, cpu0, reached = time.perf_counter(), time.process_time(), None
    control = Control()
    for event in train(project, control, threads=THREADS, **overrides):
        if isinstance(event, EpochMetrics):
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
            print(
                f"epoch {event.epoch:2d}  step {event.step:4d}  {wall:6.1f} s wall  "
                f"{cpu:6.1f} s CPU"
                f" ({cpu / THREADS:5.1f} s on {THREADS} free cores)  val mIoU {event.miou:.4f}"
                f"  pixel acc {event.val_accuracy:.4f}",
                flush=True,
            )
            if reached is None and event.miou >= TARGET:
                reached = (event.epoch, wall, cpu / THREADS)
                if not whole:
                    control.request_stop()  # the figure is in: the rest of the run adds nothing
        elif isinstance(event, Finished):
            print(event.message)
    print(f"at the end: {load_text()}")
    if reached is None:
        print(f"mIoU {TARGET} not reached")
    else:
        epoch, wall, free = reached
        print(
            f"mIoU ≥ {TARGET} after epoch {epoch}: {free:.1f} s on {THREADS} free cores "
            f"({wall:.1f} s wall on this machine)"
        )


def load_text() -> str:
    """The machine's load averages (1, 5, 15 min): wall clock means little above the core count."""
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def metrics_cost(rounds: int = 7, batch: int = 16) -> None:
    """The per-step metric work against the training step alone, interleaved."""
    torch.set_num_threads(THREADS)
    project = load_project(TEMPLATE)
    model = build_model(project, 0)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    k = 5
    x = torch.randn(batch, 3, 128, 128)
    y = torch.randint(0, k, (batch, 128, 128))
    y[:, :4] = 255

    def step() -> torch.Tensor:
        logits = model(x)
        loss = F.cross_entropy(logits, y, ignore_index=255)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return logits.detach()

    logits = step()

    def tally() -> None:  # what every training step adds: right and counted pixels
        right, counted = correct_pixels(logits, y)
        _ = (int(right), int(counted))

    def full() -> None:  # the whole confusion matrix of the batch (what validation adds)
        matrix = confusion(predicted_classes(logits), y, k)
        _ = int(matrix.sum())

    steps, tallies, fulls = [], [], []
    for _ in range(rounds):  # interleaved, in CPU seconds (the machine may be shared)
        for work, times in ((step, steps), (tally, tallies), (full, fulls)):
            t = time.process_time()
            work()
            times.append(time.process_time() - t)
    step_s = sorted(steps)[rounds // 2]
    tally_s, full_s = sorted(tallies)[rounds // 2], sorted(fulls)[rounds // 2]
    print(
        f"metrics at 128×128, batch {batch} (median CPU time of {rounds} interleaved rounds): "
        f"training step {step_s * 1000:.0f} ms; per-step pixel accuracy {tally_s * 1000:.2f} ms "
        f"= {tally_s / step_s:.2%} of the step; the batch's confusion matrix "
        f"{full_s * 1000:.2f} ms = {full_s / step_s:.2%}"
    )


def main(argv: list[str]) -> None:
    """Run the measurements the arguments ask for."""
    only_metrics = "--metrics-only" in argv
    overrides = {
        k: json.loads(v) for k, v in (a.split("=", 1) for a in argv if not a.startswith("--"))
    }
    metrics_cost()
    if not only_metrics:
        train_to_target(overrides, "--whole" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
