"""Keyboard shortcuts sent as real key events to the focused canvas, and kept out of text fields."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from runtime.graph import Edge
from runtime.project import load_project
from studio.clipboard import NODES_MIME
from tests.studio.conftest import LENET
from tests.studio.helpers import activate, double_click, focus, keys_to_focus, node_centre


def _click_node(qtbot, window, node_id: str, modifiers=Qt.NoModifier) -> None:
    """Left click on a node (selects it; the canvas of the active window takes the focus)."""
    activate(qtbot, window)
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, modifiers, node_centre(window, node_id))


def _palette_entry(window, block: str):
    tree = window.palette.tree
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        for j in range(group.childCount()):
            if group.child(j).data(0, Qt.UserRole + 1) == block:
                return group.child(j)
    raise LookupError(block)


def test_undo_and_redo_an_add_with_ctrl_z_and_ctrl_shift_z(window, qtbot):
    graph = window.doc.project.graph
    before = set(graph.nodes)
    tree = window.palette.tree
    entry = _palette_entry(window, "relu")
    tree.scrollToItem(entry)
    double_click(tree.viewport(), tree.visualItemRect(entry).center())
    added = set(graph.nodes) - before
    assert len(added) == 1
    focus(qtbot, window.view)
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)
    assert set(graph.nodes) == before and not window.isWindowModified()
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert set(graph.nodes) - before == added and window.isWindowModified()
    assert set(window.scene.nodes) == set(graph.nodes)


def test_delete_and_backspace_remove_the_selected_node(window, qtbot):
    graph = window.doc.project.graph
    for name, key in (("tanh1", Qt.Key_Delete), ("tanh2", Qt.Key_Backspace)):
        node = graph.by_name(name).id
        _click_node(qtbot, window, node)
        assert window.selected_node_ids() == [node] and QApplication.focusWidget() is window.view
        keys_to_focus(key)
        assert node not in graph.nodes and node not in window.scene.nodes


def test_copy_paste_gives_fresh_ids_and_names(window, qtbot):
    graph = window.doc.project.graph
    conv1, tanh1 = graph.by_name("conv1").id, graph.by_name("tanh1").id
    _click_node(qtbot, window, conv1)
    _click_node(qtbot, window, tanh1, Qt.ControlModifier)
    assert window.selected_node_ids() == [conv1, tanh1]
    keys_to_focus(Qt.Key_C, Qt.ControlModifier)
    keys_to_focus(Qt.Key_V, Qt.ControlModifier)
    pasted = window.selected_node_ids()
    assert len(pasted) == 2 and not set(pasted) & {conv1, tanh1}
    assert not {graph.nodes[p].name for p in pasted} & {"conv1", "tanh1"}
    assert Edge(pasted[0], pasted[1], 0) in graph.edges
    keys_to_focus(Qt.Key_V, Qt.ControlModifier)  # a second paste: fresh again
    assert not set(window.selected_node_ids()) & (set(pasted) | {conv1, tanh1})
    assert len(graph.nodes) == len({n.name for n in graph.nodes.values()})


def test_ctrl_d_duplicates_and_ctrl_a_selects_all(window, qtbot):
    graph = window.doc.project.graph
    conv2 = graph.by_name("conv2").id
    _click_node(qtbot, window, conv2)
    count = len(graph.nodes)
    keys_to_focus(Qt.Key_D, Qt.ControlModifier)
    copy = window.selected_node_ids()
    assert len(graph.nodes) == count + 1 and len(copy) == 1 and copy[0] != conv2
    assert graph.nodes[copy[0]].params == graph.nodes[conv2].params
    keys_to_focus(Qt.Key_A, Qt.ControlModifier)
    assert window.selected_node_ids() == list(graph.nodes)


def test_ctrl_s_saves_to_the_project_file(make_window, tmp_path, qtbot):
    path = tmp_path / "net.json"
    load_project(LENET).save(path)
    window = make_window(load_project(path))
    _click_node(qtbot, window, window.doc.project.graph.by_name("fc1").id)
    keys_to_focus(Qt.Key_D, Qt.ControlModifier)
    assert window.isWindowModified()
    keys_to_focus(Qt.Key_S, Qt.ControlModifier)
    assert not window.isWindowModified()
    assert load_project(path).to_json() == window.doc.project.to_json()
    assert window.recent_files()[0] == path.resolve()


def test_zoom_and_fit_to_view_shortcuts(window, qtbot):
    focus(qtbot, window.view)
    scale = window.view.transform().m11()
    for _ in range(4):
        keys_to_focus(Qt.Key_Plus, Qt.ControlModifier)
    assert window.view.transform().m11() > scale * 2
    visible = lambda: window.view.mapToScene(window.view.viewport().rect()).boundingRect()  # noqa: E731
    nodes = window.scene.items_rect().adjusted(60, 60, -60, -60)
    assert not visible().contains(nodes)
    keys_to_focus(Qt.Key_0, Qt.ControlModifier)
    assert visible().contains(nodes)


def test_auto_layout_shortcut(window, qtbot):
    graph = window.doc.project.graph
    for i, nid in enumerate(graph.nodes):
        graph.move(nid, (i * 37.0 % 300, -i * 50.0))
    scrambled = window.doc.project.to_json()
    focus(qtbot, window.view)
    keys_to_focus(Qt.Key_L, Qt.ControlModifier)
    assert window.doc.undo_stack.undoText() == "Auto-layout"
    positions = {nid: n.pos for nid, n in graph.nodes.items()}
    assert all(positions[e.src][1] < positions[e.dst][1] for e in graph.edges)
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)
    assert window.doc.project.to_json() == scrambled


def test_shortcuts_do_not_fire_while_typing_in_the_palette_search(window, qtbot):
    graph, stack = window.doc.project.graph, window.doc.undo_stack
    conv1 = graph.by_name("conv1").id
    _click_node(qtbot, window, conv1)
    search = window.palette.search
    QTest.mouseClick(search, Qt.LeftButton)
    assert QApplication.focusWidget() is search
    QTest.keyClicks(search, "conv")
    before, steps = window.doc.project.to_json(), stack.count()
    for key, modifiers in (
        (Qt.Key_Home, Qt.NoModifier),
        (Qt.Key_Delete, Qt.NoModifier),
        (Qt.Key_D, Qt.ControlModifier),
        (Qt.Key_L, Qt.ControlModifier),
        (Qt.Key_0, Qt.ControlModifier),
    ):
        keys_to_focus(key, modifiers)
    assert search.text() == "onv"
    keys_to_focus(Qt.Key_A, Qt.ControlModifier)
    assert search.selectedText() == "onv" and window.selected_node_ids() == [conv1]
    keys_to_focus(Qt.Key_C, Qt.ControlModifier)
    assert not QApplication.clipboard().mimeData().hasFormat(NODES_MIME)
    keys_to_focus(Qt.Key_Backspace)
    assert search.text() == ""
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)  # the search box's own undo
    assert search.text() == "onv"
    assert window.doc.project.to_json() == before and stack.count() == steps


def test_delete_in_an_inspector_field_deletes_a_character_not_the_node(window, qtbot):
    graph, stack = window.doc.project.graph, window.doc.undo_stack
    conv1 = graph.by_name("conv1").id
    _click_node(qtbot, window, conv1)
    name = window.inspector.editors["__name__"]
    window.docks["inspector"].raise_()
    qtbot.waitUntil(name.isVisible, timeout=2000)  # the form was rebuilt for the selection
    QTest.mouseClick(name, Qt.LeftButton, Qt.NoModifier, QPoint(2, name.height() // 2))
    assert QApplication.focusWidget() is name
    steps = stack.count()
    keys_to_focus(Qt.Key_Home)
    keys_to_focus(Qt.Key_Delete)
    keys_to_focus(Qt.Key_D, Qt.ControlModifier)
    assert name.text() == "onv1" and conv1 in graph.nodes and stack.count() == steps
    channels = window.inspector.editors["out_channels"]
    QTest.mouseClick(channels, Qt.LeftButton)
    assert QApplication.focusWidget() in (channels, channels.lineEdit())
    keys_to_focus(Qt.Key_End)
    keys_to_focus(Qt.Key_Backspace)
    assert channels.text() == "" and conv1 in graph.nodes
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)
    assert (
        channels.text() == "6" and graph.by_name("onv1").id == conv1
    )  # leaving the name field renamed
