"""Your own blocks in the window, by mouse and keyboard: select layers, save them as a block in the
dialog, find it under "My blocks", drag it onto the canvas, set its exposed width in the
inspector, export it; rename and delete from the palette; bad library files listed."""

from __future__ import annotations

import json

import pytest
import torch
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from runtime.compile import build_model
from runtime.groups import groups
from runtime.project import Project
from runtime.userblocks import definition_from_selection, install
from studio.user_block_dialog import EXPOSE, NAME
from tests.runtime.user_block_helpers import (
    double_conv_graph,
    forget_user_blocks,  # noqa: F401 - fixture
)
from tests.studio.helpers import (
    activate,
    choose_in_popup,
    focus,
    keys_to_focus,
    node_centre,
    right_click,
)
from tests.studio.test_groups import _title_point

pytestmark = pytest.mark.usefixtures("forget_user_blocks")


def chain_window(make_window):
    graph, inner = double_conv_graph()
    for i, nid in enumerate(graph.topological_order()):
        graph.move(nid, (0.0, 130.0 * i))
    window = make_window(Project(graph, (3, 16, 16)))
    window.view.fit()
    return window, inner


def select_by_mouse(window, ids):
    viewport = window.view.viewport()
    QTest.mouseClick(viewport, Qt.LeftButton, Qt.NoModifier, node_centre(window, ids[0]))
    for nid in ids[1:]:
        QTest.mouseClick(viewport, Qt.LeftButton, Qt.ControlModifier, node_centre(window, nid))
    assert set(window.selected_node_ids()) == set(ids)


def type_into(widget, text):
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(widget, text)


def expose(dialog, layer, param, name):
    """Tick the row with the keyboard and type the exposed name into its last cell."""
    table = dialog.table
    row = dialog.row_of(layer, param)
    table.setFocus()
    table.setCurrentCell(row, EXPOSE)
    QTest.keyClick(table.viewport(), Qt.Key_Space)
    assert table.item(row, EXPOSE).checkState() == Qt.Checked
    table.setCurrentCell(row, NAME)
    QTest.keyClick(table, Qt.Key_F2)
    editor = next(e for e in table.findChildren(QLineEdit) if e.isVisible())
    type_into(editor, name)
    QTest.keyClick(editor, Qt.Key_Return)
    QApplication.processEvents()  # the delegate commits the typed text on a queued call
    assert table.item(row, NAME).text() == name


def palette_entry(window, title):
    group = window.palette.user_group
    for j in range(group.childCount()):
        if group.child(j).text(0) == title:
            return group.child(j)
    raise AssertionError(f"no 'My blocks' entry {title!r}")


def save_double_conv(window, inner, qtbot, replace=True):
    select_by_mouse(window, inner)
    seen: list = []
    choose_in_popup("Save Selection as Block", seen)
    right_click(window, node_centre(window, inner[1]))
    qtbot.waitUntil(lambda: window.user_blocks.dialog is not None, timeout=3000)
    dialog = window.user_blocks.dialog
    type_into(dialog.name, "Double Conv")
    type_into(dialog.description, "Two 3×3 convolutions with a BatchNorm and ReLU between.")
    expose(dialog, "conv1", "out_channels", "width")
    expose(dialog, "conv2", "out_channels", "width")
    if not replace:
        dialog.replace.setChecked(False)
    QTest.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.user_blocks.dialog is None, timeout=3000)
    return "user_double_conv"


def test_save_selection_as_block_then_drag_it_in_and_set_its_width(make_window, qtbot, paths):
    window, inner = chain_window(make_window)
    block_id = save_double_conv(window, inner, qtbot)
    saved = json.loads((paths.data_dir / "blocks" / f"{block_id}.json").read_text())
    assert saved["exposed"] == [
        {"name": "width", "bindings": [["conv1", "out_channels"], ["conv2", "out_channels"]]}
    ]
    entry = palette_entry(window, "Double Conv")
    assert "Two 3×3 convolutions" in entry.toolTip(0) and "<b>width</b> = 16" in entry.toolTip(0)
    graph = window.doc.project.graph
    placed = [n for n in graph.nodes.values() if n.block == block_id]
    assert len(placed) == 1 and {"conv1", "bn1"}.isdisjoint(graph.names())
    assert window.doc.analysis.ok
    window.doc.undo_stack.undo()
    assert {"conv1", "bn1", "relu1", "conv2"} <= window.doc.project.graph.names()

    tree = window.palette.tree
    mime = tree.mimeData([entry])
    target = QPoint(120, 80)
    viewport = window.view.viewport()
    QApplication.sendEvent(
        viewport, QDragEnterEvent(target, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    )
    QApplication.sendEvent(
        viewport, QDragMoveEvent(target, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    )
    QApplication.sendEvent(
        viewport,
        QDropEvent(QPointF(target), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier),
    )
    node = next(n for n in window.doc.project.graph.nodes.values() if n.block == block_id)
    QTest.mouseClick(viewport, Qt.LeftButton, Qt.NoModifier, node_centre(window, node.id))
    assert window.selected_node_ids() == [node.id]
    field = window.inspector.editors["width"]
    type_into(field, "32")
    QTest.keyClick(field, Qt.Key_Return)
    assert window.doc.project.graph.nodes[node.id].params == {"width": 32}


def test_exported_code_of_a_placed_block_equals_the_compiled_network(make_window, qtbot, tmp_path):
    window, inner = chain_window(make_window)
    block_id = save_double_conv(window, inner, qtbot)
    node = next(n for n in window.doc.project.graph.nodes.values() if n.block == block_id)
    QTest.mouseClick(
        window.view.viewport(), Qt.LeftButton, Qt.NoModifier, node_centre(window, node.id)
    )
    field = window.inspector.editors["width"]
    type_into(field, "24")
    QTest.keyClick(field, Qt.Key_Return)
    out = tmp_path / "double.py"
    assert window.files.export("python", out)
    source = out.read_text()
    assert "class DoubleConv(nn.Module):" in source
    assert "DoubleConv(in_channels=3, width=24)" in source
    namespace: dict = {"__name__": "exported"}
    exec(compile(source, str(out), "exec"), namespace)
    compiled = build_model(window.doc.project).eval()
    exported = namespace["Untitled"]().eval()
    exported.load_state_dict(compiled.state_dict())
    x = torch.randn(1, 3, 16, 16)
    torch.testing.assert_close(exported(x), compiled(x), rtol=0, atol=0)


def test_a_selection_with_two_outputs_says_why_in_the_status_bar(make_window, qtbot):
    window, inner = chain_window(make_window)
    select_by_mouse(window, [inner[0], inner[2]])  # conv1 and relu1: bn1 between them is not
    focus(qtbot, window.view)
    keys_to_focus(Qt.Key_B, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.user_blocks.dialog is None
    assert window.statusBar().currentMessage().startswith("Cannot save as a block: a block")


def test_a_bad_name_stays_in_the_dialog_on_one_red_line(make_window, qtbot):
    window, inner = chain_window(make_window)
    select_by_mouse(window, inner)
    focus(qtbot, window.view)
    keys_to_focus(Qt.Key_B, Qt.ControlModifier | Qt.ShiftModifier)
    dialog = window.user_blocks.dialog
    row = dialog.row_of("conv1", "stride")
    dialog.table.item(row, NAME).setText("step")  # a name of its own exposes the parameter
    assert dialog.table.item(row, EXPOSE).checkState() == Qt.Checked
    type_into(dialog.name, "BatchNorm")
    QTest.mouseClick(dialog.save_button, Qt.LeftButton)
    assert dialog.isVisible()
    assert dialog.error.text() == (
        "'BatchNorm' is the name of a built-in block: give your block another name"
    )
    dialog.reject()


def test_rename_and_delete_from_the_palette_menu(make_window, qtbot, paths, monkeypatch):
    window, inner = chain_window(make_window)
    block_id = save_double_conv(window, inner, qtbot, replace=False)
    tree = window.palette.tree
    entry = palette_entry(window, "Double Conv")
    tree.scrollToItem(entry)
    point = tree.visualItemRect(entry).center()
    monkeypatch.setattr(
        "studio.user_blocks.QInputDialog.getText", lambda *a, **k: ("Twin Conv", True)
    )
    seen: list = []
    choose_in_popup("Rename", seen)
    tree.customContextMenuRequested.emit(point)
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    qtbot.waitUntil(lambda: palette_entry(window, "Twin Conv") is not None, timeout=3000)
    assert seen[0] == ["Rename…", "Delete…", "Reveal File"]
    monkeypatch.setattr("studio.user_blocks.QMessageBox.question", lambda *a, **k: QMessageBox.Yes)
    choose_in_popup("Delete", seen)
    tree.customContextMenuRequested.emit(
        tree.visualItemRect(palette_entry(window, "Twin Conv")).center()
    )
    qtbot.waitUntil(lambda: block_id not in window.palette.visible_blocks(), timeout=3000)
    assert window.palette.user_group.child(0).text(0) == "None yet (Ctrl+Shift+B)"
    assert not (paths.data_dir / "blocks" / f"{block_id}.json").exists()


def test_bad_library_files_are_listed_under_my_blocks(make_window, paths):
    folder = paths.data_dir / "blocks"
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text("{ nope")
    window = make_window()
    group = window.palette.user_group
    assert not group.isHidden() and group.childCount() == 2  # the hint, the bad file
    assert group.child(1).text(0).startswith("⚠ broken.json: is not valid JSON")
    assert window.palette.visible_blocks().count(None) == 0


def test_save_group_as_block_from_the_group_menu(make_window, qtbot, paths):
    window, inner = chain_window(make_window)
    select_by_mouse(window, inner)
    activate(qtbot, window)
    keys_to_focus(Qt.Key_G, Qt.ControlModifier)
    name = next(iter(groups(window.doc.project.graph)))
    qtbot.waitUntil(lambda: name in window.scene.groups)
    seen: list = []
    choose_in_popup("Save Group as Block", seen)
    right_click(window, _title_point(window, name))
    qtbot.waitUntil(lambda: window.user_blocks.dialog is not None, timeout=3000)
    dialog = window.user_blocks.dialog
    assert dialog.windowTitle() == "Save Group as Block" and dialog.name.text() == name
    type_into(dialog.name, "Conv Stage")
    expose(dialog, "conv2", "out_channels", "width")
    QTest.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.user_blocks.dialog is None, timeout=3000)
    assert (paths.data_dir / "blocks" / "user_conv_stage.json").exists()
    graph = window.doc.project.graph
    placed = [n for n in graph.nodes.values() if n.block == "user_conv_stage"]
    assert len(placed) == 1 and groups(graph) == {name: [placed[0].id]}
    assert window.doc.analysis.ok


def test_a_block_name_and_description_are_shown_as_plain_text(make_window):
    graph, inner = double_conv_graph()
    definition = definition_from_selection(
        graph, inner, "<b>Bold</b> <img src=x>", "<i>not italic</i>"
    )
    install(definition)
    window, _ = chain_window(make_window)
    node = window.editing.add_block(definition.id)
    window.select_nodes([node])
    assert window.inspector.heading.text() == "<b>&lt;b&gt;Bold&lt;/b&gt; &lt;img src=x&gt;</b>"
    assert window.inspector.explanation.textFormat() == Qt.PlainText
    assert window.inspector.explanation.text() == "<i>not italic</i>"
