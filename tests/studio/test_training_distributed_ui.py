"""The window's side of distributed training: the GPU row of the settings, per-rank throughput."""

from __future__ import annotations

import numpy as np

from runtime.training.events import Started, StepMetrics
from studio.training import settings_form
from studio.training.metrics_panel import MetricsPanel
from studio.training.settings_form import SettingsForm


def _started(processes: int = 2) -> Started:
    image = np.zeros((1, 28, 28), np.uint8)
    return Started(3, 100, 32, 4000, 1000, tuple("0123456789"), "cuda:0", image, 0, processes, 64)


def test_settings_say_how_many_gpus_and_offer_all_only_with_two(qtbot, monkeypatch):
    changes = []
    form = SettingsForm(lambda k, v: changes.append((k, v)), lambda m: None)
    qtbot.addWidget(form)
    assert form.machine.text() == "this machine: no GPU (one process on the CPU)"
    assert not form.editors["all_gpus"].isEnabled()
    monkeypatch.setattr(settings_form, "gpu_count", lambda: 4)
    form = SettingsForm(lambda k, v: changes.append((k, v)), lambda m: None)
    qtbot.addWidget(form)
    form.show()
    assert form.machine.text() == "this machine: 4 GPUs"
    box = form.editors["all_gpus"]
    assert box.isEnabled() and "all 4 GPUs" in box.toolTip()
    box.click()
    assert changes[-1] == ("all_gpus", True)


def test_metrics_show_global_and_per_rank_throughput(qtbot):
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 600)
    panel.show()
    steps = [
        StepMetrics(10 * i, 0, 2.0 - i / 10, 0.1 * i, 0.05, 600.0 + i, 1.0 * i, (300.0, 300.0 + i))
        for i in range(1, 8)
    ]
    panel.handle([_started(), *steps])
    assert len(panel.rank_curves) == 2
    _, ys = panel.rank_curves[1].getData()
    assert list(ys) == [300.0 + i for i in range(1, 8)]
    text = panel.status.text()
    assert "batch 32 × 2 processes (64 per update)" in text
    assert "607 samples/s (rank 0: 300, rank 1: 307)" in text
    panel.handle([_started(1)])  # a new run of one process: the rank curves go
    assert panel.rank_curves == []
