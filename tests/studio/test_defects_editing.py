"""Editor rough edges a new user hit, driven with real keys and clicks: number fields that refuse
with a reason, stale refusals, project renaming, Ctrl+=, the analysis table scrolling the canvas,
dialogs that start in the project's folder, and a spare node that no longer blocks export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from runtime.project import Project, load_project
from tests.studio.conftest import LENET
from tests.studio.helpers import activate, focus, keys_to_focus, node_centre

RESNET18 = LENET.with_name("resnet18.json")


def _click_node(qtbot, window, node_id: str) -> None:
    activate(qtbot, window)
    QTest.mouseClick(
        window.view.viewport(), Qt.LeftButton, Qt.NoModifier, node_centre(window, node_id)
    )


def _type_into(qtbot, widget, text: str) -> None:
    """Click into a field, replace its text by typing, press Return."""
    window = widget.window()
    window.docks["inspector"].raise_()
    qtbot.waitUntil(widget.isVisible, timeout=2000)
    focus(qtbot, widget)
    keys_to_focus(Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(QApplication.focusWidget(), text)
    keys_to_focus(Qt.Key_Return)


def _canvas_key(qtbot, window, key, modifiers=Qt.NoModifier) -> None:
    focus(qtbot, window.view)
    QTest.keyClick(window.view, key, modifiers)


def test_a_zero_kernel_typed_into_a_number_field_is_refused_with_its_reason(window, qtbot):
    graph = window.doc.project.graph
    conv1 = graph.by_name("conv1").id
    _click_node(qtbot, window, conv1)
    kernel = window.inspector.editors["kernel_size"]
    _type_into(qtbot, kernel, "0")
    assert graph.nodes[conv1].params["kernel_size"] == 5
    assert (
        "Not done" in window.inspector.error.text()
        and "kernel_size" in window.inspector.error.text()
    )
    assert kernel.value() == 5  # the field shows the value in force again
    _type_into(qtbot, kernel, "-3")
    assert (
        graph.nodes[conv1].params["kernel_size"] == 5
        and "Not done" in window.inspector.error.text()
    )


def test_a_refusal_is_cleared_by_a_later_successful_edit_or_undo(window, qtbot):
    graph = window.doc.project.graph
    conv1 = graph.by_name("conv1").id
    _click_node(qtbot, window, conv1)
    _type_into(qtbot, window.inspector.editors["out_channels"], "8")
    assert graph.nodes[conv1].params["out_channels"] == 8
    _type_into(qtbot, window.inspector.editors["kernel_size"], "0")
    assert window.inspector.error.text()
    _canvas_key(qtbot, window, Qt.Key_Z, Qt.ControlModifier)  # undoes the channels edit
    assert graph.nodes[conv1].params["out_channels"] == 6
    assert window.inspector.error.text() == ""


def test_the_project_is_renamed_in_the_inspector_and_the_rename_is_undoable(window, qtbot):
    activate(qtbot, window)
    window.select_nodes([])
    name = window.inspector.editors["__project__"]
    _type_into(qtbot, name, "My Net")
    assert window.doc.project.name == "My Net" and "My Net" in window.windowTitle()
    _type_into(qtbot, window.inspector.editors["__project__"], "   ")
    assert window.doc.project.name == "My Net" and "empty" in window.inspector.error.text()
    _canvas_key(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert window.doc.project.name == "LeNet-5" and "LeNet-5" in window.windowTitle()


def test_an_untitled_project_takes_the_file_stem_on_its_first_save(
    make_window, qtbot, tmp_path, monkeypatch
):
    window = make_window(Project())
    target = tmp_path / "mynet.json"
    monkeypatch.setattr(
        "studio.files.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), "")
    )
    _canvas_key(qtbot, window, Qt.Key_S, Qt.ControlModifier)
    assert window.doc.project.name == "mynet" and load_project(target).name == "mynet"
    assert "mynet" in window.windowTitle() and not window.isWindowModified()


def test_ctrl_equals_zooms_in(window, qtbot):
    before = window.view.transform().m11()
    _canvas_key(qtbot, window, Qt.Key_Equal, Qt.ControlModifier)
    assert window.view.transform().m11() > before * 1.2


def test_choosing_an_analysis_row_scrolls_the_canvas_to_its_node(make_window, qtbot):
    window = make_window(load_project(RESNET18))
    window.view.resetTransform()
    last_id = window.doc.analysis.order[-1]
    window.view.centerOn(window.scene.nodes[window.doc.analysis.order[0]])

    def visible() -> bool:
        shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
        return shown.contains(window.scene.nodes[last_id].sceneBoundingRect())

    assert not visible()
    window.docks["analysis"].raise_()
    table = window.analysis_panel.table
    qtbot.waitUntil(table.isVisible, timeout=2000)
    row = next(
        r
        for r in range(table.model().rowCount())
        if table.model().index(r, 0).data(Qt.UserRole + 2) == last_id
    )
    table.scrollTo(table.model().index(row, 0))
    QTest.mouseClick(
        table.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        table.visualRect(table.model().index(row, 0)).center(),
    )
    assert window.selected_node_ids() == [last_id]
    assert visible()


def test_dialogs_of_an_unsaved_project_start_in_the_last_folder_with_a_name_after_the_project(
    window, qtbot, tmp_path, monkeypatch
):
    folder = tmp_path / "work"
    folder.mkdir()
    assert window.files.save_as(folder / "first.json")
    asked = []
    monkeypatch.setattr(
        "studio.files.QFileDialog.getSaveFileName",
        lambda *a, **k: (asked.append(a[2]), ("", ""))[1],
    )
    window.files.load(LENET, as_template=True)  # an untitled copy: no folder of its own
    _canvas_key(qtbot, window, Qt.Key_E, Qt.ControlModifier)
    assert asked and Path(asked[-1]) == folder / "lenet_5.py"


def test_a_spare_unconnected_node_is_a_warning_and_is_left_out_of_export(
    window, qtbot, tmp_path, monkeypatch
):
    spare = window.editing.add_block("conv2d")
    problems = window.problems
    qtbot.waitUntil(lambda: window.doc.analysis.warnings != [], timeout=2000)
    qtbot.waitUntil(
        lambda: any("left out" in problems.item(i).text() for i in range(problems.count())),
        timeout=2000,
    )
    assert window.doc.analysis.problems == []
    told = []
    monkeypatch.setattr(window, "tell", lambda title, message: told.append(message))
    out = tmp_path / "net.py"
    monkeypatch.setattr("studio.files.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), ""))
    _canvas_key(qtbot, window, Qt.Key_E, Qt.ControlModifier)
    assert told == [] and out.is_file()
    assert window.doc.project.graph.nodes[spare].name not in out.read_text(encoding="utf-8")
