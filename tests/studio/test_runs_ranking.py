"""The Runs panel and the sweep dialog rank segmentation runs by validation mIoU and say so."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from runtime.project import load_project
from runtime.runs.recorder import RunRecorder
from runtime.training.events import EpochMetrics, Finished
from studio.training.runs_model import BEST_COLUMN
from tests.runtime.segmentation_helpers import tiny_segmenter
from tests.runtime.training_helpers import tiny_project


def _record(project, root, name, scores):
    """A finished run whose epochs had these (pixel accuracy, mIoU or None) figures."""
    recorder = RunRecorder.start(project, root, "test", name=name)
    for epoch, (acc, miou) in enumerate(scores, start=1):
        recorder.observe(
            EpochMetrics(epoch, epoch, 0.5, 0.8, 0.6, acc, 0.01, np.zeros((2, 2)), miou=miou)
        )
    recorder.observe(Finished("completed", "done", len(scores), len(scores)))


@pytest.fixture
def segmentation_runs(tmp_path, make_window):
    project_file = tiny_segmenter().save(tmp_path / "seg.json")
    project = load_project(project_file)
    root = tmp_path / "seg.runs"
    _record(project, root, "flat", [(0.95, 0.40), (0.96, 0.35)])  # pixel accuracy's favourite
    _record(project, root, "sharp", [(0.90, 0.70), (0.92, 0.80)])  # mIoU's favourite
    window = make_window(project)
    yield window, window.training_ui.runs.panel, project
    window.training_ui.controller.shutdown()


def test_runs_panel_ranks_segmentation_runs_by_miou(segmentation_runs, qtbot):
    window, panel, _ = segmentation_runs
    assert panel.model.headerData(BEST_COLUMN, Qt.Orientation.Horizontal) == "Best val. mIoU"
    header = panel.table.horizontalHeader()
    best_header = QPoint(header.sectionViewportPosition(BEST_COLUMN) + 5, 5)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=best_header)
    if panel.proxy.index(0, 1).data() != "sharp":  # the first click may sort ascending
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=best_header)
    assert [panel.proxy.index(r, 1).data() for r in range(2)] == ["sharp", "flat"]
    assert [panel.proxy.index(r, BEST_COLUMN).data() for r in range(2)] == ["80.00%", "40.00%"]
    assert panel.metric_choice.currentData() == "miou"
    rect = panel.table.visualRect(panel.table.model().index(0, 1))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    (curve,) = panel.plot.getPlotItem().listDataItems()
    assert list(curve.getData()[1]) == pytest.approx([0.70, 0.80])


def test_a_mixed_folder_names_each_runs_figure(segmentation_runs, tmp_path):
    _, panel, _ = segmentation_runs
    classifier = tiny_project()
    classifier.path = tmp_path / "seg.json"
    _record(classifier, panel.store.root, "classifier", [(0.70, None)])
    panel.refresh()
    model = panel.model
    assert model.headerData(BEST_COLUMN, Qt.Orientation.Horizontal) == "Best val. acc./mIoU"
    shown = {
        model.index(r, 1).data(): model.index(r, BEST_COLUMN).data()
        for r in range(model.rowCount())
    }
    assert shown == {
        "flat": "40.00% mIoU",
        "sharp": "80.00% mIoU",
        "classifier": "70.00% accuracy",
    }


def test_sweep_dialog_titles_its_values_miou(segmentation_runs):
    window, _, _ = segmentation_runs
    dialog = window.training_ui.open_sweep()
    assert dialog.table.horizontalHeaderItem(3).text() == "val. mIoU"
    assert dialog.plot.getPlotItem().getAxis("left").labelText == "validation mIoU"
    dialog.close()
