"""Measure: the default project (LeNet-5 on the bundled MNIST, 1,000 held out) with its default
recipe.

Prints validation accuracy per epoch with wall-clock time since the run started (data loading
included), and the time at which validation accuracy first reached 98 %.
Usage: python bench/bench_training_lenet.py [key=value ...]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime.project import load_project  # noqa: E402
from runtime.training import EpochMetrics, Finished, train  # noqa: E402

TEMPLATE = Path(__file__).resolve().parents[1] / "assets" / "templates" / "lenet5.json"


def main(argv: list[str]) -> None:
    """Run once and print the figures."""
    overrides = {k: json.loads(v) for k, v in (a.split("=", 1) for a in argv)}
    project = load_project(TEMPLATE)
    project.training = {**project.training, **overrides.pop("training", {})}
    project.data = {**project.data, **overrides.pop("data", {})}
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"training {project.training or 'defaults'}; data "
        f"{project.data or 'defaults'}; overrides {overrides}"
    )
    start, cpu0, reached, reached_cpu = time.perf_counter(), time.process_time(), None, None
    for event in train(project, **overrides):
        if isinstance(event, EpochMetrics):
            t, cpu = time.perf_counter() - start, time.process_time() - cpu0
            print(
                f"epoch {event.epoch:3d}  {t:6.1f} s wall  {cpu:6.1f} s CPU  train "
                f"acc {event.train_accuracy:.4f}  val acc {event.val_accuracy:.4f}  "
                f"val loss {event.val_loss:.4f}"
            )
            if reached is None and event.val_accuracy >= 0.98:
                reached, reached_cpu = t, cpu
        elif isinstance(event, Finished):
            print(event.message)
    total = time.perf_counter() - start
    when = f"at {reached:.1f} s wall, {reached_cpu:.1f} s CPU" if reached is not None else "never"
    print(
        f"total {total:.1f} s wall, {time.process_time() - cpu0:.1f} s CPU (both "
        f"threads); reached 98% validation accuracy: {when}. Wall time is only meaningful "
        "on an otherwise idle machine."
    )


if __name__ == "__main__":
    main(sys.argv[1:])
