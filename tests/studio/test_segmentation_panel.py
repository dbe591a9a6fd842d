"""The segmentation panel and the task selector, driven by real events and key presses."""

import math

import numpy as np
from PySide6.QtCore import Qt

from runtime.project import load_project
from runtime.segmentation.demo import CLASSES, generate_demo
from runtime.training.events import EpochMetrics, SegmentationSample, Started
from studio.paths import TEMPLATES
from studio.training.segmentation_panel import SegmentationPanel


def _events(epoch: int = 1):
    demo = generate_demo(1, seed=2, shape=(3, 64, 64))
    truth = demo.masks[0]
    prediction = np.where(np.arange(64)[None, :] < 40, truth, 0).astype(np.uint8)
    matrix = np.diag([900, 300, 200, 0, 100]).astype(np.int64)
    ious = (0.9, 0.8, 0.5, math.nan, 0.7)
    return [
        Started(2, 10, 8, 80, 20, CLASSES, "cpu", demo.images[0]),
        EpochMetrics(epoch, 10, 0.5, 0.9, 0.6, 0.88, 0.01, matrix, True, 0.725, ious),
        SegmentationSample(10, epoch, demo.images[0], truth, prediction),
    ]


def test_panel_shows_image_truth_prediction_and_one_bar_per_class(qtbot):
    panel = SegmentationPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 600)
    panel.show()
    assert panel.stack.currentIndex() == 0  # the placeholder before any run
    panel.handle(_events())
    assert panel.stack.currentIndex() == 1
    assert all(not p.pixmap().isNull() for p in panel.pictures)
    assert "mIoU 72.5%" in panel.caption.text()
    heights = panel.bars.opts["height"]
    assert list(heights) == [0.9, 0.8, 0.5, 0.0, 0.7]
    assert [t.toPlainText() for t in panel.values][3] == "—"  # a class never seen
    panel.handle([_events()[0]])  # a new run starts clean
    assert panel.stack.currentIndex() == 0 and panel.sample is None


def test_task_selector_sets_the_task_undoably_and_samples_masks(make_window, qtbot):
    window = make_window(load_project(TEMPLATES / "unet_small.json"))
    data = window.training_ui.data
    assert data.task.currentText() == "segmentation"
    qtbot.waitUntil(lambda: not data.busy(), timeout=60000)
    assert not data.preview.empty and "shapes with masks" in data.preview.caption.text()
    data.task.setFocus()
    qtbot.keyClick(data.task, Qt.Key.Key_Up)  # to "classification"
    assert window.doc.project.task == "classification"
    window.doc.undo_stack.undo()
    assert window.doc.project.task == "segmentation"
    assert data.task.currentText() == "segmentation"
    qtbot.waitUntil(lambda: not data.busy(), timeout=60000)
