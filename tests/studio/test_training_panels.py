"""Training from the window: the run happens in another process; panels update; pause, stop,
export."""

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from runtime.training import (
    EpochMetrics,
    FeatureMaps,
    Filters,
    Finished,
    Histograms,
    Started,
    StepMetrics,
)
from tests.runtime.training_helpers import tiny_project


def _started(classes=tuple("0123456789")):
    return Started(2, 10, 32, 320, 80, classes, "cpu", np.zeros((1, 8, 8), np.uint8))


@pytest.fixture
def ui(make_window):
    window = make_window(tiny_project(epochs=40, probe_seconds=0.1))
    yield window.training_ui
    window.training_ui.controller.shutdown()


def test_panels_draw_events(ui):
    confusion = np.eye(10, dtype=np.int64) * 8
    ui._events(
        [
            _started(),
            StepMetrics(2, 0, 2.0, 0.2, 0.01, 1000.0, 0.1),
            StepMetrics(4, 0, 1.5, 0.4, 0.01, 1200.0, 0.2),
            FeatureMaps(4, "conv1", (4, 8, 8), np.full((17, 17), 9, np.uint8)),
            Filters(4, "conv1", np.full((7, 7), 3, np.uint8)),
            Histograms(
                4,
                {"conv1": (np.arange(40), np.linspace(-1, 1, 41))},
                {"conv1": (np.arange(40), np.linspace(-1, 1, 41))},
            ),
            EpochMetrics(1, 10, 1.4, 0.5, 1.2, 0.8, 0.01, confusion, True),
        ]
    )
    x, y = ui.metrics.curves["train_loss"].getData()
    assert list(x) == [2, 4] and y[0] == 2.0 and y[1] < 2.0
    assert list(ui.metrics.curves["val_acc"].getData()[1]) == [0.8]
    assert "iteration 4/20" in ui.metrics.status.text()
    assert ui.maps.image.image.shape == (17, 17) and "'conv1' (4×8×8)" in ui.maps.caption.text()
    assert ui.filters.image.image.shape == (7, 7)
    assert ui.histograms.layer.currentText() == "conv1"
    assert ui.confusion.matrix[3, 3] == 8 and len(ui.confusion.texts) == 10


def test_panels_start_empty_and_a_new_run_drops_the_last_pictures(ui):
    # before any run: neutral placeholders with a caption, no plot axes, no black image boxes
    for panel in (ui.confusion, ui.maps, ui.filters):
        assert panel.stack.currentWidget() is panel.placeholder and panel.placeholder.text()
    assert "end of each epoch" in ui.confusion.placeholder.text()
    assert ui.maps.image.image is None and ui.filters.image.image is None
    # a run starts: an empty grid labelled with the classes until the first epoch ends
    ui._events([_started(tuple("abc"))])
    confusion = ui.confusion
    assert confusion.stack.currentWidget() is confusion.view and confusion.matrix is None
    assert (
        confusion.image.image is None
        and not confusion.texts
        and "end of each epoch" in confusion.caption.text()
    )
    assert [label for _, label in confusion.plot.getAxis("bottom")._tickLevels[0]] == [
        "a",
        "b",
        "c",
    ]
    xs, ys = confusion.grid.getData()
    assert len(xs) == 2 * 2 * 4 and min(xs) == -0.5 and max(ys) == 2.5
    for (
        low,
        high,
    ) in confusion.plot.viewRange():  # the cells fill the view (aspect locked), not "-400 … 400"
        assert low <= -0.5 and high >= 2.5 and high - low < 8
    assert ui.maps.placeholder.text().startswith("Feature maps: waiting")
    # pictures of the run, then a second run: nothing stale remains
    ui._events(
        [
            FeatureMaps(4, "conv1", (4, 8, 8), np.full((17, 17), 9, np.uint8)),
            Filters(4, "conv1", np.full((7, 7), 3, np.uint8)),
            EpochMetrics(1, 10, 1.4, 0.5, 1.2, 0.8, 0.01, np.eye(3, dtype=np.int64) * 5, True),
        ]
    )
    assert ui.maps.stack.currentWidget() is ui.maps.view and ui.maps.caption.isVisibleTo(ui.maps)
    assert (
        confusion.matrix is not None
        and len(confusion.texts) == 3
        and not confusion.grid.isVisible()
    )
    ui._events([_started()])
    assert confusion.matrix is None and confusion.image.image is None and not confusion.texts
    assert confusion.grid.isVisible() and len(confusion.grid.getData()[0]) == 2 * 2 * 11
    for panel in (ui.maps, ui.filters):
        assert panel.image.image is None and panel.stack.currentWidget() is panel.placeholder
        assert not panel.caption.isVisibleTo(panel)
    # Start keeps the last run's panels until the new run has started (a refused start keeps them)
    ui._events([EpochMetrics(1, 10, 1.4, 0.5, 1.2, 0.8, 0.01, np.eye(10, dtype=np.int64), True)])
    ui.start_action.trigger()
    assert confusion.matrix is not None and "Starting" in ui.metrics.status.text()
    ui._events([_started()])
    assert confusion.matrix is None and confusion.image.image is None


def test_metrics_export_png_and_csv(ui, tmp_path):
    ui._events([_started(), StepMetrics(2, 0, 2.0, 0.2, 0.01, 1000.0, 0.1)])
    assert ui.metrics.export_png(tmp_path / "p.png").stat().st_size > 1000
    text = ui.metrics.export_csv(tmp_path / "m.csv").read_text()
    assert text.splitlines()[1].startswith("step,2,0,2.0,0.2")


def test_settings_form_edits_the_project(ui, qtbot):
    project = ui.window.current_project()
    ui.data.training.editors["optimizer"].setCurrentText("adamw")
    ui.data.training.editors["batch_size"].setValue(16)
    assert project.training["optimizer"] == "adamw" and project.training["batch_size"] == 16
    ui.data.form.crop.setValue(3)
    assert project.data["augment"]["crop_padding"] == 3
    qtbot.waitUntil(lambda: not ui.data.busy() and len(ui.data.labels) == 32, timeout=10000)
    assert ui.data.preview.image.image is not None


def test_data_panel_reports_a_bad_folder(ui, tmp_path, qtbot):
    ui.data.form.source.setCurrentText("folder")
    ui.data.form.path.setText(str(tmp_path))
    ui.data.form.path.editingFinished.emit()
    qtbot.waitUntil(lambda: "holds no class sub-folders" in ui.data.message.text(), timeout=10000)


def test_train_from_window_updates_plots_then_stops(ui, qtbot):
    window = ui.window
    window.activateWindow()
    ui.start_action.trigger()
    assert ui.controller.state == "running" and not ui.start_action.isEnabled()
    window.current_project().training["lr"] = (
        123.0  # edits after Start do not reach the running copy
    )
    # the run starts in a new process that imports torch: allow for a heavily loaded machine
    qtbot.waitUntil(lambda: len(ui.metrics.steps) >= 3 and ui.filters.updates >= 2, timeout=120000)
    assert ui.filters.image.image.shape == (7, 7) and ui.maps.updates >= 1
    assert len(ui.metrics.curves["train_loss"].getData()[0]) >= 3
    ui.toggle_pause()
    assert ui.controller.state == "paused" and ui.pause_action.text() == "&Resume"
    ui.toggle_pause()
    t0 = time.monotonic()
    ui.stop_action.trigger()
    qtbot.waitUntil(lambda: ui.controller.state == "idle", timeout=5000)
    assert time.monotonic() - t0 < 1.5
    assert "training stopped" in ui.metrics.status.text()
    code, weights = ui.export_to(
        window.current_project().path or __import__("pathlib").Path(ui.controller.out_dir) / "x"
    )
    assert code.exists() and weights.exists()


def test_a_crashing_run_is_reported_and_the_window_survives(ui, qtbot):
    ui.window.current_project().data = {"source": "mnist"}
    seen = []
    ui.controller.events.connect(seen.extend)
    ui.start_action.trigger()
    qtbot.waitUntil(lambda: ui.controller.state == "idle", timeout=30000)
    end = [e for e in seen if isinstance(e, Finished)][-1]
    assert (
        end.status == "failed" and "1×28×28 images but the network's input is 1×8×8" in end.message
    )
    assert ui.start_action.isEnabled()
    ui.window.current_project().data = {"source": "digits"}
    qtbot.keyClick(ui.window, Qt.Key.Key_F5)
    assert ui.controller.state == "running"


def test_start_brings_loss_feature_maps_and_filters_into_view_together(ui, qtbot):
    window = ui.window
    docks = window.docks
    assert docks["training_filters"] not in window.tabifiedDockWidgets(docks["inspector"])
    assert not docks["training_filters"].isVisible()  # while editing, the inspector has the room
    docks["analysis"].raise_()
    docks["inspector"].raise_()
    ui.start_action.trigger()
    try:
        for name in ("training_metrics", "training_feature_maps", "training_filters"):
            qtbot.waitUntil(
                lambda name=name: not docks[name].visibleRegion().isEmpty(), timeout=3000
            )
    finally:
        ui.controller.stop()
        qtbot.waitUntil(lambda: ui.controller.state == "idle", timeout=10000)
