"""Measure the insight targets, each as a ratio to its target (≤ 1 meets it), in one run (< 1
minute):

- Grad-CAM for one 224×224 image on ResNet-18 on the CPU (target 0.5 s);
- the ablation table of LeNet-5 on 1,000 validation images (target 5 s);
- live health probing as a share of training time at the default snapshot interval (target 2 %);
- the window's event-loop p99 latency while the ablation table is computed (target 50 ms).
Usage: python bench/bench_insight.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from runtime.analysis import analyze  # noqa: E402
from runtime.compile import build_model  # noqa: E402
from runtime.data import ImageSet  # noqa: E402
from runtime.insight.ablation import ablation_table  # noqa: E402
from runtime.insight.attribution import attribute  # noqa: E402
from runtime.insight.session import make_session, open_session  # noqa: E402
from runtime.project import load_project  # noqa: E402
from runtime.training.health import HEALTH_EVERY, HEALTH_IMAGES, HealthProbe  # noqa: E402
from runtime.training.settings import parse_training  # noqa: E402

TEMPLATES = Path(__file__).resolve().parents[1] / "assets" / "templates"


def _report(name: str, value: float, target: float, unit: str) -> None:
    print(
        f"{name:<52} {value:9.3f} {unit:<3} target {target:g} {unit:<3} ratio {value / target:5.2f}"
    )


def _timed(fn, repeats: int) -> tuple[float, float]:
    """Median (wall seconds, one-thread CPU seconds) of `repeats` calls.

    The CPU figure runs torch on one thread and counts this process's CPU time only: other programs
    on a busy machine do not inflate it, and an idle machine's wall time with more threads is
    lower."""
    walls, cpus = [], []
    threads = torch.get_num_threads()
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
    torch.set_num_threads(1)
    try:
        for _ in range(repeats):
            t0 = time.process_time()
            fn()
            cpus.append(time.process_time() - t0)
    finally:
        torch.set_num_threads(threads)
    return statistics.median(walls), statistics.median(cpus)


def grad_cam_resnet18() -> None:
    """Median of 5 Grad-CAM runs at the last residual stage, after one warm-up."""
    project = load_project(TEMPLATES / "resnet18.json")
    analysis = analyze(project)
    net = build_model(project, 0, analysis)
    val = ImageSet(
        np.zeros((1, 3, 224, 224), np.uint8),
        np.zeros(1, np.int64),
        tuple(map(str, range(1000))),
        "bench",
    )
    shapes = {f.name: tuple(f.out_shape) for f in analysis.nodes.values()}
    session = make_session(
        project, net, val, np.full(3, 0.45, np.float32), np.full(3, 0.25, np.float32), shapes
    )
    x = torch.rand(1, 3, 224, 224)
    attribute(session, x, "gradcam")
    wall, cpu = _timed(lambda: attribute(session, x, "gradcam"), 5)
    print(
        f"  at '{attribute(session, x, 'gradcam')[0].node}': wall {wall:.3f} s on this machine now"
    )
    _report("Grad-CAM, ResNet-18, one 224×224 image (1 thread CPU)", cpu, 0.5, "s")


def ablation_lenet() -> object:
    """The full table (bypass and zero half the channels of every layer) on 1,000 images."""
    session = open_session(load_project(TEMPLATES / "lenet5.json"))
    ablation_table(session, 100)  # warm-up
    table = ablation_table(session, 1000)
    wall, cpu = _timed(lambda: ablation_table(session, 1000), 1)
    print(
        f"  {len(table.rows)} layers, {table.samples:,} images: "
        f"wall {wall:.3f} s on this machine now"
    )
    _report("ablation table, LeNet-5 (1 thread CPU)", cpu, 5.0, "s")
    return session


def health_overhead() -> None:
    """Cost of one health reading (the hooked optimizer step's extra work plus the probe forward)
    against the training work done between two readings, steps measured in alternating pairs.

    Times are process CPU time on one thread, so that other programs on a busy machine do not
    inflate them; the work between two readings is one thread busy for one reading interval."""
    project = load_project(TEMPLATES / "lenet5.json")
    model = build_model(project, 0)
    names = [n for n, *_ in model._program]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    probe = HealthProbe(model, names, optimizer)
    x, y = torch.randn(128, 1, 28, 28), torch.randint(0, 10, (128,))
    batch = torch.randn(HEALTH_IMAGES, 1, 28, 28)

    def step() -> float:
        t0 = time.process_time()
        optimizer.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
        return time.process_time() - t0

    threads = torch.get_num_threads()
    torch.set_num_threads(
        1
    )  # idle worker threads spinning on a busy machine would count as CPU time
    for _ in range(3):
        step()
    plain, hooked, readings = [], [], []
    for i in range(30):
        plain.append(step())
        probe.arm()
        hooked.append(step())
        t0 = time.process_time()
        probe.take(i, model, batch)
        readings.append(time.process_time() - t0)
    torch.set_num_threads(threads)
    interval = parse_training({}).probe_seconds * HEALTH_EVERY
    budget = interval  # one thread
    hook_extra = statistics.median(h - p for h, p in zip(hooked, plain, strict=True))
    extra = max(0.0, hook_extra) + statistics.median(readings)
    print(
        f"  one training step (batch 128) {statistics.median(plain) * 1e3:.1f} ms CPU; a health "
        f"reading {extra * 1e3:.2f} ms CPU, once per {interval:g} s (one thread)"
    )
    _report("live health probing, share of training work", 100 * extra / budget, 2.0, "%")


def event_loop_during_ablation() -> None:
    """Lateness of a 10 ms timer in the window's event loop while the worker builds the ablation
    table."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from studio.insight.worker import InsightWorker

    app = QApplication.instance() or QApplication([])
    session = open_session(load_project(TEMPLATES / "lenet5.json"))
    worker = InsightWorker()
    gaps: list[float] = []
    clock = QElapsedTimer()
    finished = []
    worker.done.connect(lambda kind, result: finished.append(result))
    timer = QTimer(interval=10)
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        gaps.append(now - last[0])
        last[0] = now

    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    for _ in range(3):
        worker.submit(
            f"ablate{_}", lambda cancelled: ablation_table(session, 1000, cancelled=cancelled)
        )
    deadline = time.perf_counter() + 60
    while len(finished) < 3 and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.002)
    timer.stop()
    worker.shutdown()
    late = sorted(g - 10 for g in gaps[1:])
    p99 = late[int(0.99 * (len(late) - 1))] if late else float("nan")
    print(f"  {len(gaps)} timer ticks during {len(finished)} ablation tables")
    _report("event-loop p99 lateness while computing", p99, 50.0, "ms")


def main() -> None:
    """Run every measurement."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
        f"load average {load:.1f}"
    )
    grad_cam_resnet18()
    ablation_lenet()
    health_overhead()
    event_loop_during_ablation()


if __name__ == "__main__":
    main()
