"""Side-by-side training benchmarks, measured in one run (ratios, not absolute times, are targets).

1. Step time of the compiled LeNet-5 template in ConvStudio's loop against a hand-written minimal
   PyTorch loop on the same layers, weights, batches and optimizer (target ratio ≤ 1.03).
2. Throughput (samples/s) of a run in the window with every panel live against the same run
   headless, both in a spawned process (target ≥ 95 %), and the window's event-loop latency while
   training (target p99 ≤ 50 ms).

Usage: python bench/bench_training.py [--step-time-only] [--pairs N] [--block N] [--threads N]
                                     [--epochs N] [--runs N]
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
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.Tanh(),
        nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.Tanh(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.Tanh(),
        nn.Linear(120, 84),
        nn.Tanh(),
        nn.Linear(84, 10),
    )


def _reference(setup) -> tuple[nn.Module, torch.optim.Optimizer, object, nn.Module]:
    """The hand-written model with ConvStudio's initial weights, and the optimizer, one-cycle
    schedule and loss a person would write for the template's recipe (the same hyperparameters and
    schedule length)."""
    s = setup.settings
    assert (s.optimizer, s.schedule, s.loss) == ("nesterov", "one_cycle", "cross_entropy"), (
        "template recipe changed"
    )
    ref = hand_written().to(setup.device)
    ref.load_state_dict(dict(zip(ref.state_dict(), setup.model.state_dict().values())))
    opt = torch.optim.SGD(
        ref.parameters(), s.lr, momentum=s.momentum, nesterov=True, weight_decay=s.weight_decay
    )
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, s.lr, total_steps=setup.schedule.inner.total_steps, cycle_momentum=True
    )
    return ref, opt, sched, nn.CrossEntropyLoss(label_smoothing=s.label_smoothing)


def step_time(steps: int, block: int, pairs: int, warmup: int) -> None:
    """Per-step time of ConvStudio's training loop against a hand-written minimal loop, in
    interleaved pairs.

    ConvStudio's side is its real loop (`_Run.train_events`): training step, NaN check,
    loss/accuracy tally, a StepMetrics report every log_every steps, pause/stop polling and the
    timed feature-map/filter/histogram probes. The hand-written side is forward, loss, zero_grad,
    backward, step, scheduler step. Both train the same layers from the same initial weights on the
    same batches (already on the device), with the same optimizer and one-cycle schedule; each pair
    runs the same `block` batches through both, in alternating order, and the first `warmup` pairs
    are dropped.

    The figure is the median of the per-pair ratios without the probes, plus the probes' share of
    the time: probes come every probe_seconds of the loop's own time, so only some pairs hold one
    and a median alone would hide them (and their wall-clock timer is advanced past the hand-written
    half of each pair)."""
    setup = prepare(load_project(LENET), epochs=1000)
    run = _Run(setup, Control(), None)
    batches = list(setup.data.train_batches(setup.settings.batch_size, run.gen))[:steps]
    ref, opt, sched, loss_fn = _reference(setup)
    assert block % setup.settings.log_every == 0, "--block must be a multiple of log_every (10)"
    assert (warmup + pairs) * block < setup.schedule.inner.total_steps, (
        "fewer --pairs or a smaller --block"
    )
    clock = {"end": None, "probes": 0.0}
    probe_events = run.probe_events

    def timed_probe_events(now: float):
        t = time.perf_counter()
        events = list(probe_events(now))
        clock["probes"] += time.perf_counter() - t
        yield from events

    run.probe_events = timed_probe_events

    def ours(part: list) -> None:
        if clock["end"] is not None:  # probes keep to the loop's own clock, as in a real run
            run.next_probe += time.perf_counter() - clock["end"]
        for _ in run.train_events(part):
            pass
        clock["end"] = time.perf_counter()

    def theirs(part: list) -> None:
        for x, y in part:
            loss = loss_fn(ref(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()

    ratios, mine, hand, probe_s, probes = [], [], [], 0.0, run.probes
    for k in range(warmup + pairs):
        part = [batches[(k * block + j) % len(batches)] for j in range(block)]
        if k == warmup:
            probes = run.probes
        times, before = {}, clock["probes"]
        order = (("ours", ours), ("theirs", theirs))
        for name, fn in order if k % 2 == 0 else order[::-1]:
            t = time.perf_counter()
            fn(part)
            times[name] = time.perf_counter() - t
        if k >= warmup:
            probed = clock["probes"] - before
            probe_s += probed
            mine.append(times["ours"] - probed)
            hand.append(times["theirs"])
            ratios.append(mine[-1] / hand[-1])
    q = statistics.quantiles(ratios, n=4)
    share = probe_s / sum(hand)
    ratio = statistics.median(ratios) + share
    ms = {
        side: statistics.median(times) / block * 1e3
        for side, times in (("ours", mine), ("theirs", hand))
    }
    print(
        f"step time, LeNet-5 batch {setup.settings.batch_size} on {setup.device}, {pairs} "
        f"interleaved pairs of {block} steps ({warmup} warm-up pairs dropped): ConvStudio loop "
        f"{ms['ours']:.3f} ms + probes, hand-written {ms['theirs']:.3f} ms"
    )
    print(
        f"  loop without probes / hand-written: median {statistics.median(ratios):.3f} (quartiles "
        f"{q[0]:.3f}-{q[2]:.3f}); probes: {run.probes - probes} × "
        f"{probe_s / max(1, run.probes - probes) * 1e3:.2f} ms, +{share:.3f}"
    )
    print(f"step-time ratio ConvStudio / hand-written: {ratio:.3f} (target ≤ 1.03)")


def _headless_worker(epochs: int, queue) -> None:
    """Child process: the same run without any window."""
    from runtime.training import StepMetrics, train

    project = load_project(LENET)
    rates = [
        e.samples_per_s
        for e in train(project, epochs=epochs, threads=1)
        if isinstance(e, StepMetrics)
    ]
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
    """samples/s reports of the same run in the window with every panel shown; and event-loop
    lateness (ms)."""
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
    for dock in window.findChildren(
        __import__("PySide6.QtWidgets", fromlist=["QDockWidget"]).QDockWidget
    ):
        dock.setFloating(dock.objectName().startswith("training_"))
        dock.show()
    rates, late, done = [], [], []
    ui.controller.events.connect(
        lambda evs: rates.extend(e.samples_per_s for e in evs if isinstance(e, StepMetrics))
    )
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


def throughput(epochs: int, runs: int) -> None:
    """Panels live against headless in `runs` pairs of alternating order; the median of the per-pair
    ratios.

    This machine's speed drifts by tens of percent over seconds (shared cores), so one headless run
    against one windowed run says little; pairs close in time, in both orders, cancel most of the
    drift."""
    ratios, late, head_all, live_all = [], [], [], []
    for k in range(runs):
        pair = {}
        for side in ("headless", "window") if k % 2 == 0 else ("window", "headless"):
            if side == "headless":
                pair[side] = statistics.median(headless_rates(epochs)[2:])
            else:
                rates, lateness = windowed_rates(epochs)
                pair[side] = statistics.median(rates[2:])
                late += lateness[20:]
        ratios.append(pair["window"] / pair["headless"])
        head_all.append(pair["headless"])
        live_all.append(pair["window"])
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    p99 = sorted(late)[int(len(late) * 0.99)]
    print(
        f"throughput, LeNet-5, 1 training thread, {runs} pairs: headless "
        f"{min(head_all):,.0f}-{max(head_all):,.0f} samples/s, window with every panel live "
        f"{min(live_all):,.0f}-{max(live_all):,.0f} samples/s"
    )
    print(f"  per-pair ratios {', '.join(f'{r:.3f}' for r in ratios)}")
    print(
        f"throughput ratio window / headless: median {statistics.median(ratios):.3f} (quartiles "
        f"{q[0]:.3f}-{q[2]:.3f}; target ≥ 0.95)"
    )
    print(
        f"event-loop lateness while training ({len(late)} beats of a 10 ms timer): median "
        f"{statistics.median(late):.1f} ms, p99 {p99:.1f} ms (target p99 ≤ 50 ms)"
    )


def main() -> None:
    """Run every measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps", type=int, default=100, help="distinct batches the step-time pairs cycle over"
    )
    parser.add_argument(
        "--block", type=int, default=20, help="steps per side of one pair (a multiple of 10)"
    )
    parser.add_argument("--pairs", type=int, default=200, help="measured step-time pairs")
    parser.add_argument(
        "--warmup", type=int, default=10, help="step-time pairs run first and dropped"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="torch threads for the step-time pairs (0: default)"
    )
    parser.add_argument("--epochs", type=int, default=2, help="epochs of each throughput run")
    parser.add_argument(
        "--runs", type=int, default=6, help="throughput pairs (headless and window, alternating)"
    )
    parser.add_argument(
        "--step-time-only", action="store_true", help="skip the throughput and latency runs"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f} (other processes skew absolute figures)"
    )
    step_time(args.steps, args.block, args.pairs, args.warmup)
    print(f"load average after the step-time pairs {os.getloadavg()[0]:.2f}")
    if not args.step_time_only:
        throughput(args.epochs, args.runs)


if __name__ == "__main__":
    main()
