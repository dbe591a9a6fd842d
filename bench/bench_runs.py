"""Run history targets, measured side by side in one run:
listing 1,000 recorded runs (store + Runs panel table) within 200 ms, and the sweep overhead per
trial
beyond the training itself within 1 s.

    python -m bench.bench_runs
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_runs(root: Path, count: int) -> None:
    """`count` finished runs of a tiny project (records, labels and history, no weights)."""
    from runtime.runs.recorder import RunRecorder
    from runtime.training.events import EpochMetrics
    from tests.runtime.training_helpers import tiny_project
    import numpy as np

    project = tiny_project()
    first = RunRecorder.start(project, root, "bench")
    first.observe(EpochMetrics(1, 10, 1.0, 0.5, 0.9, 0.6, 0.01, np.zeros((2, 2)), True))
    first.finish("completed", "done")
    template = (first.folder / "run.json").read_text()
    snapshot = (first.folder / "project.json").read_text()
    for i in range(count - 1):
        folder = root / f"20260101-000000-{i:04x}"
        folder.mkdir()
        (folder / "run.json").write_text(template.replace(first.record.id, folder.name))
        (folder / "project.json").write_text(snapshot)


def bench_listing(count: int = 1000) -> None:
    """Time RunStore.list and the panel's refresh on `count` runs."""
    from PySide6.QtWidgets import QApplication

    from runtime.runs.store import RunStore
    from studio.training.runs_panel import RunsPanel

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p.runs"
        root.mkdir()
        make_runs(root, count)
        store = RunStore(root)
        store.list()  # warm the file cache as a second look at the panel would
        t0 = time.perf_counter()
        records = store.list()
        t_store = time.perf_counter() - t0
        panel = RunsPanel()
        panel.resize(1200, 400)
        panel.show()
        t0 = time.perf_counter()
        panel.set_folder(root)
        app.processEvents()
        t_panel = time.perf_counter() - t0
        assert len(records) == count and panel.model.rowCount() == count
        print(
            f"list {count} runs: store {t_store * 1000:.0f} ms, panel (read + table shown) "
            f"{t_panel * 1000:.0f} ms; target 200 ms → {t_panel / 0.2:.2f} of the budget"
        )


def bench_sweep(trials: int = 4) -> None:
    """Sweep wall time per trial against the training time inside each trial."""
    from runtime.runs.space import parse_space
    from runtime.runs.store import RunStore
    from runtime.runs.sweep import run_sweep
    from tests.runtime.training_helpers import tiny_project

    with tempfile.TemporaryDirectory() as tmp:
        project = tiny_project(epochs=1)
        project.save(Path(tmp) / "tiny.json")
        dims = parse_space({"lr": [0.003, 0.01, 0.03, 0.1]}, project)
        t0 = time.perf_counter()
        report = run_sweep(project, dims, trials, Path(tmp) / "tiny.runs", "grid")
        wall = time.perf_counter() - t0
        trained = sum(r.duration_s for r in RunStore(Path(tmp) / "tiny.runs").list())
        in_worker = sum(r.seconds for r in report.results)
        steady = report.results[1:]
        per_trial = sum(r.seconds for r in steady) / len(steady)
        training = sorted(RunStore(Path(tmp) / "tiny.runs").list(), key=lambda r: r.id)[1:]
        train_each = sum(r.duration_s for r in training) / len(training)
        print(
            f"sweep of {trials} trials: {wall:.1f} s wall (worker start included), "
            f"{in_worker:.1f} s in trials, {trained:.1f} s training; after the first trial, "
            f"{per_trial:.2f} s per trial of which {train_each:.2f} s training → overhead "
            f"{per_trial - train_each:.2f} s per trial (target ≤ 1 s)"
        )


if __name__ == "__main__":
    bench_listing()
    try:
        bench_sweep()
    except ImportError as exc:
        print(f"sweep bench skipped: {exc}")
