"""Training panels that were stale or wrong, driven by the Train keys: a refused F5 keeps the last
run's panels, another project clears them, the maps follow the selection after a run (final
weights),
progress reaches 100 % and a paused run says so."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from runtime.training import FeatureMaps, Filters, Finished, Started, StepMetrics
from tests.runtime.training_helpers import tiny_project
from tests.studio.helpers import activate, focus, node_centre

SPAWN_S = 120_000
"""A run starts in a new process that imports torch: allow for a heavily loaded machine."""


@pytest.fixture
def ui(make_window):
    window = make_window(tiny_project(epochs=40, probe_seconds=0.1))
    yield window.training_ui
    window.training_ui.controller.shutdown()


def _a_finished_run(ui) -> None:
    ui._events(
        [
            Started(1, 10, 32, 320, 80, tuple("0123456789"), "cpu", np.zeros((1, 8, 8), np.uint8)),
            StepMetrics(8, 0, 2.0, 0.2, 0.01, 1000.0, 0.1),
            FeatureMaps(8, "conv1", (4, 8, 8), np.full((17, 17), 9, np.uint8)),
            Filters(8, "conv1", np.full((7, 7), 3, np.uint8)),
            Finished("completed", "training completed after 10 iterations (1 epoch)", 10, 1),
        ]
    )


def _key(qtbot, window, key, modifiers=Qt.NoModifier) -> None:
    focus(qtbot, window.view)
    QTest.keyClick(window.view, key, modifiers)


def _shows_last_run(ui) -> bool:
    return (
        len(ui.metrics.curves["train_loss"].getData()[0]) == 1
        and ui.maps.image.image is not None
        and ui.filters.image.image is not None
        and ui.maps.stack.currentWidget() is ui.maps.view
    )


def test_f5_refused_for_a_graph_problem_keeps_the_last_runs_panels(ui, qtbot):
    window = ui.window
    _a_finished_run(ui)
    graph = window.doc.project.graph
    window.doc.remove_items([graph.by_name("relu1").id])  # the head is cut off from the input
    _key(qtbot, window, Qt.Key_F5)
    assert ui.controller.state == "idle" and _shows_last_run(ui)
    assert "Not started" in ui.metrics.status.text() and "head" in ui.metrics.status.text()


def test_f5_refused_by_the_training_process_keeps_the_last_runs_panels(ui, qtbot):
    window = ui.window
    _a_finished_run(ui)
    window.current_project().data = {"source": "mnist"}  # 28×28 images for an 8×8 network
    _key(qtbot, window, Qt.Key_F5)
    assert ui.controller.state == "running"
    qtbot.waitUntil(lambda: ui.controller.state == "idle", timeout=SPAWN_S)
    assert _shows_last_run(ui) and "1×28×28" in ui.metrics.status.text()


def test_opening_another_project_clears_the_filters_and_maps(ui, qtbot):
    _a_finished_run(ui)
    _key(qtbot, ui.window, Qt.Key_N, Qt.ControlModifier)
    assert ui.window.current_project().graph.nodes == {}
    for panel in (ui.filters, ui.maps):
        assert panel.image.image is None and panel.stack.currentWidget() is panel.placeholder
        assert "waiting" not in panel.placeholder.text()
    assert ui.metrics.curves["train_loss"].getData()[0] is None or not len(
        ui.metrics.curves["train_loss"].getData()[0]
    )


def test_progress_reaches_the_end_when_a_run_completes(ui):
    _a_finished_run(ui)
    assert ui.metrics.progress.value() == ui.metrics.progress.maximum() == 10
    assert "(1 epoch)" in ui.metrics.status.text()


def test_after_a_run_the_maps_follow_the_selection_from_the_final_weights(make_window, qtbot):
    window = make_window(tiny_project(epochs=1))
    ui = window.training_ui
    try:
        _key(qtbot, window, Qt.Key_F5)
        qtbot.waitUntil(lambda: ui.controller.state == "idle", timeout=SPAWN_S)
        assert ui.metrics.progress.value() == ui.metrics.progress.maximum()
        assert (
            "completed" in ui.metrics.status.text() and "1 epochs" not in ui.metrics.status.text()
        )
        relu = window.doc.project.graph.by_name("relu1").id
        _key(qtbot, window, Qt.Key_L, Qt.ControlModifier)  # the tiny project's nodes overlap
        activate(qtbot, window)
        QTest.mouseClick(
            window.view.viewport(), Qt.LeftButton, Qt.NoModifier, node_centre(window, relu)
        )
        qtbot.waitUntil(
            lambda: "'relu1'" in ui.maps.caption.text() or "relu1" in ui.maps.placeholder.text(),
            timeout=30_000,
        )
        assert "'relu1'" in ui.maps.caption.text(), ui.maps.placeholder.text()
        assert "final weights" in ui.maps.caption.text() and ui.maps.image.image is not None
    finally:
        ui.controller.shutdown()


def test_a_paused_run_says_paused_instead_of_an_eta(ui, qtbot):
    window = ui.window
    _key(qtbot, window, Qt.Key_F5)
    try:
        qtbot.waitUntil(lambda: len(ui.metrics.steps) >= 2, timeout=SPAWN_S)
        assert "ETA" in ui.metrics.status.text()
        _key(qtbot, window, Qt.Key_F6)
        assert ui.controller.state == "paused" and ui.metrics.status.text().startswith("Paused")
        qtbot.wait(600)  # steps reported before the pause still arrive
        assert "ETA" not in ui.metrics.status.text() and "samples/s" not in ui.metrics.status.text()
        _key(qtbot, window, Qt.Key_F6)
        qtbot.waitUntil(lambda: "ETA" in ui.metrics.status.text(), timeout=30_000)
    finally:
        ui.controller.stop()
        qtbot.waitUntil(lambda: ui.controller.state == "idle", timeout=10_000)


def test_no_legend_covers_the_training_curves(ui):
    _a_finished_run(ui)
    for plot in (ui.metrics.loss_plot, ui.metrics.acc_plot):
        assert plot.legend is None
        title = plot.titleLabel.text
        assert "train" in title and "validation" in title
