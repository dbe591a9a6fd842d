"""Training and data settings: edited with real keys, undoable, shown as unsaved changes, saved with
the project."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from runtime.project import load_project
from tests.runtime.training_helpers import tiny_project
from tests.studio.conftest import LENET
from tests.studio.helpers import focus, keys_to_focus


def _settings_tab(window):
    """The Data and Settings panel, brought to the front of its dock tabs."""
    window.docks["training_data"].raise_()
    return window.training_ui.data


def test_learning_rate_edit_is_undoable_marks_modified_and_saves(make_window, tmp_path, qtbot):
    path = tmp_path / "net.json"
    load_project(LENET).save(path)
    window = make_window(load_project(path))
    project, stack = window.current_project(), window.doc.undo_stack
    lr = _settings_tab(window).training.editors["lr"]
    old = lr.value()
    assert "lr" not in project.training and not window.isWindowModified()
    assert "*" not in window.windowHandle().title()
    steps = stack.count()

    focus(qtbot, lr)
    keys_to_focus(Qt.Key_A, Qt.ControlModifier)  # select the box's text, then type over it
    QTest.keyClicks(lr, "0.25")  # valueChanged 0.2, then 0.25: one undo step
    keys_to_focus(Qt.Key_Return)
    assert project.training["lr"] == 0.25
    assert stack.count() == steps + 1 and "lr" in stack.undoText()
    assert window.isWindowModified()
    assert window.windowHandle().title().startswith(f"LeNet-5 — {path}* — ConvStudio")

    focus(qtbot, window.view)
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)
    assert "lr" not in project.training and lr.value() == old
    assert not window.isWindowModified() and "*" not in window.windowHandle().title()
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert project.training["lr"] == 0.25 and lr.value() == 0.25 and window.isWindowModified()

    keys_to_focus(Qt.Key_S, Qt.ControlModifier)
    assert not window.isWindowModified()
    assert load_project(path).training["lr"] == 0.25
    reopened = make_window(load_project(path))
    assert reopened.training_ui.data.training.editors["lr"].value() == 0.25


def test_data_edit_with_keys_is_one_step_and_undo_reloads_the_panel(window, qtbot):
    project, stack = window.current_project(), window.doc.undo_stack
    panel = _settings_tab(window)
    focus(qtbot, panel.form.crop)
    steps, crop = stack.count(), panel.form.crop.value()
    keys_to_focus(Qt.Key_Up)
    keys_to_focus(Qt.Key_Up)
    assert project.data["augment"]["crop_padding"] == crop + 2
    assert stack.count() == steps + 1 and window.isWindowModified()
    edits = []
    panel.doc.section_changed.connect(edits.append)
    focus(qtbot, window.view)
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)
    assert project.data == {} and panel.form.crop.value() == crop and edits == ["data"]
    assert (
        stack.count() == steps + 1 and not window.isWindowModified()
    )  # reloading emitted no new edit
    qtbot.waitUntil(
        lambda: not panel.busy() and panel.preview.image.image is not None, timeout=10000
    )
    assert not panel.message.text().startswith("⚠")


def test_spinning_back_to_the_saved_value_leaves_nothing_to_undo(make_window, qtbot):
    window = make_window(tiny_project())
    stack = window.doc.undo_stack
    batch = _settings_tab(window).training.editors["batch_size"]
    focus(qtbot, batch)
    for key in (Qt.Key_Up, Qt.Key_Up, Qt.Key_Down):
        keys_to_focus(key)
    assert window.current_project().training["batch_size"] == 65 and stack.count() == 1
    keys_to_focus(Qt.Key_Down)
    assert window.current_project().training["batch_size"] == 64
    assert stack.count() == 0 and not window.isWindowModified()


def test_settings_edits_of_different_fields_are_separate_steps(window, qtbot):
    panel = _settings_tab(window)
    stack = window.doc.undo_stack
    panel.training.editors["optimizer"].setCurrentText("adamw")
    panel.training.editors["epochs"].setValue(3)
    assert stack.count() == 2
    stack.undo()
    assert "epochs" not in window.current_project().training
    assert window.current_project().training["optimizer"] == "adamw"
    assert panel.training.editors["epochs"].value() == 25
