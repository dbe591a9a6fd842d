"""Side-by-side training benchmarks, measured in one run (ratios, not absolute times, are the targets).

1. Step time of the compiled LeNet-5 template in ConvStudio's loop against a hand-written minimal PyTorch
   loop on the same layers, weights, batches and optimizer (target ratio ≤ 1.03).
2. Throughput (samples/s) of a run in the window with every panel live against the same run headless,
   both in a spawned process (target ≥ 95 %), and the window's event-loop latency while training
   (target p99 ≤ 50 ms).

Usage: python bench/bench_training.py [--steps N] [--epochs N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from runtime.project import load_project  # noqa: E402
from runtime.training.control import Control  # noqa: E402
from runtime.training.loop import _Run  # noqa: E402
from runtime.training.setup import prepare  # noqa: E402

LENET = Path(__file__).resolve().parents[1] / "assets" / "templates" / "lenet5.json"


def hand_written() -> nn.Module:
    """LeNet-5 as a person would write it."""
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(),
                         nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84),
                         nn.Tanh(), nn.Linear(84, 10))


def step_time(steps: int, rounds: int = 5) -> None:
    """Median per-step time of both loops (same optimizer and one-cycle schedule), interleaved round by round."""
    setup = prepare(load_project(LENET), epochs=rounds)
    run = _Run(setup, Control(), None)
    batches = list(setup.data.train_batches(setup.settings.batch_size, run.gen))[:steps]
    ref = hand_written()
    ref.load_state_dict(dict(zip(ref.state_dict(), setup.model.state_dict().values())))
    s = setup.settings
    opt = torch.optim.SGD(ref.parameters(), s.lr, momentum=s.momentum, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, s.lr, total_steps=rounds * len(batches) + 1,
                                                cycle_momentum=True)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=s.label_smoothing)
    ours, theirs = [], []
    for _ in range(rounds):
        sums = torch.zeros(2)
        t = time.perf_counter()
        for x, y in batches:
            run.train_step(x, y, sums)
        ours.append((time.perf_counter() - t) / len(batches))
        t = time.perf_counter()
        for x, y in batches:
            loss = loss_fn(ref(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        theirs.append((time.perf_counter() - t) / len(batches))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"step time, LeNet-5 batch {s.batch_size}, {len(batches)} steps × {rounds} rounds: ConvStudio "
          f"{a * 1e3:.3f} ms, hand-written {b * 1e3:.3f} ms, ratio {a / b:.3f} (target ≤ 1.03)")


def _headless_worker(epochs: int, queue) -> None:
    """Child process: the same run without any window."""
    from runtime.training import StepMetrics, train
    project = load_project(LENET)
    rates = [e.samples_per_s for e in train(project, epochs=epochs, threads=1) if isinstance(e, StepMetrics)]
    queue.put(rates)


def headless_rates(epochs: int) -> list[float]:
    """samples/s reports of a headless run in a spawned process."""
    import multiprocessing as mp
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_headless_worker, args=(epochs, queue))
    process.start()
    rates = queue.get()
    process.join()
    return rates


def windowed_rates(epochs: int) -> tuple[list[float], list[float]]:
    """samples/s reports of the same run in the window with every panel shown; and event-loop lateness (ms)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from studio.app import build_window
    from studio.paths import AppPaths
    import tempfile
    from runtime.training import Finished, StepMetrics
    app = QApplication.instance() or QApplication([])
    window = build_window(AppPaths.under(Path(tempfile.mkdtemp())), load_project(LENET))
    window.resize(1600, 1000)
    window.show()
    ui = window.training_ui
    for dock in window.findChildren(__import__("PySide6.QtWidgets", fromlist=["QDockWidget"]).QDockWidget):
        dock.setFloating(dock.objectName().startswith("training_"))
        dock.show()
    rates, late, done = [], [], []
    ui.controller.events.connect(lambda evs: rates.extend(e.samples_per_s for e in evs if isinstance(e, StepMetrics)))
    ui.controller.events.connect(lambda evs: done.extend(e for e in evs if isinstance(e, Finished)))
    tick = {"t": time.perf_counter()}

    def beat() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - tick["t"] - 0.010) * 1e3))
        tick["t"] = now
    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(10)
    ui.controller.start(window.current_project(), epochs=epochs, threads=1)
    while not done:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    window.doc.undo_stack.setClean()
    return rates, late


def throughput(epochs: int) -> None:
    """Panels live against headless, interleaved twice."""
    head, live, late = [], [], []
    for _ in range(2):
        head += headless_rates(epochs)[2:]
        rates, lateness = windowed_rates(epochs)
        live += rates[2:]
        late += lateness[20:]
    h, w = statistics.median(head), statistics.median(live)
    p99 = sorted(late)[int(len(late) * 0.99)]
    print(f"throughput, LeNet-5, 1 training thread: headless {h:,.0f} samples/s, window with every panel live "
          f"{w:,.0f} samples/s, ratio {w / h:.3f} (target ≥ 0.95)")
    print(f"event-loop lateness while training ({len(late)} beats of a 10 ms timer): median "
          f"{statistics.median(late):.1f} ms, p99 {p99:.1f} ms (target p99 ≤ 50 ms)")


def main() -> None:
    """Run every measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f} (other processes skew absolute figures)")
    step_time(args.steps)
    throughput(args.epochs)


if __name__ == "__main__":
    main()
