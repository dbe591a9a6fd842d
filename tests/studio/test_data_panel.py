"""The data panel on a folder of real files: per-class chart, preprocessed sample, re-draw,
settings."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from runtime.project import load_project
from tests.runtime.image_files import class_folder, damaged_files
from tests.studio.conftest import LENET
from tests.studio.helpers import focus, keys_to_focus


@pytest.fixture
def panel(make_window, tmp_path, monkeypatch, qtbot):
    monkeypatch.setenv("CONVSTUDIO_CACHE", str(tmp_path / "cache"))
    window = make_window(load_project(LENET))
    window.docks["training_data"].raise_()
    data = window.training_ui.data
    qtbot.waitUntil(lambda: not data.busy(), timeout=10000)
    return data


def _choose_folder(panel, qtbot, root):
    panel.form.source.setCurrentText("folder")
    focus(qtbot, panel.form.path)
    keys_to_focus(Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(panel.form.path, str(root))
    keys_to_focus(Qt.Key_Return)
    qtbot.waitUntil(
        lambda: not panel.busy() and panel.sample is not None and panel.sample.source == "folder",
        timeout=15000,
    )


def test_folder_shows_counts_sample_and_redraws(panel, qtbot, tmp_path):
    root = class_folder(
        tmp_path / "pets", {"cat": 40, "dog": 200, "owl": 120}, per_class=20, nested=True
    )
    damaged_files(root / "owl")
    _choose_folder(panel, qtbot, root)
    project = panel.get_project()
    assert project.data["source"] == "folder" and project.data["path"] == str(root)
    train, val = panel.chart.counts
    assert len(train) == 3 and sum(train) + sum(val) == 64
    assert "3 classes" in panel.chart.caption.text()
    first = panel.preview.image.image.copy()
    assert (
        first.ndim == 2 and len(panel.labels) == 32
    )  # LeNet takes 1×28×28: the sample is greyscale
    assert {t.toPlainText() for t in panel.labels} == {"cat", "dog", "owl"}
    assert (
        "converted to greyscale" in panel.message.text()
        and "resized to 28×28" in panel.message.text()
    )
    assert "after preprocessing" in panel.preview.caption.text()
    qtbot.mouseClick(panel.redraw, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=15000)
    assert not np.array_equal(first, panel.preview.image.image)
    assert panel.form.cache.isEnabled() and panel.form.cache_note.text().startswith("fits:")


def test_preprocess_fields_write_the_data_section_and_undo(panel, qtbot, tmp_path):
    root = class_folder(tmp_path / "d", {"a": 30, "b": 220}, per_class=6)
    _choose_folder(panel, qtbot, root)
    assert panel.form.rotation.isVisibleTo(panel) and not panel.form.crop.isVisibleTo(panel)
    focus(qtbot, panel.form.rotation)
    keys_to_focus(Qt.Key_Up)
    project = panel.get_project()
    assert project.data["preprocess"]["rotation"] == 5
    panel.form.cache.setChecked(True)
    assert project.data["cache"] is True
    qtbot.waitUntil(lambda: not panel.busy(), timeout=15000)
    panel.doc.undo_stack.undo()
    assert project.data["cache"] is False and not panel.form.cache.isChecked()
