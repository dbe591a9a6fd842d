"""Canvas: palette drops, wiring with real mouse drags, refused cycles, labels, selection,
layout."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from runtime.graph import Edge
from studio.canvas import style
from runtime.layout import crossings, layered_positions
from tests.studio.helpers import drag, in_port, out_port


def _two_free_nodes(window):
    a = window.editing.add_block("conv2d", QPointF(2000, 0))
    b = window.editing.add_block("relu", QPointF(2000, 200))
    window.view.centerOn(2000, 100)
    window.view.resetTransform()
    window.view.centerOn(2000, 100)
    return a, b


def test_palette_search_filters_as_you_type(window):
    window.palette.search.setText("dep")
    shown = window.palette.visible_blocks()
    assert "depthwise_separable_conv" in shown and "conv2d" not in shown and "relu" not in shown
    window.palette.search.setText("")
    assert len(window.palette.visible_blocks()) > 30


def test_palette_entry_dropped_on_canvas_is_added_there(window, qtbot):
    tree = window.palette.tree
    entry = next(
        tree.topLevelItem(i).child(j)
        for i in range(tree.topLevelItemCount())
        for j in range(tree.topLevelItem(i).childCount())
        if tree.topLevelItem(i).child(j).data(0, Qt.UserRole + 1) == "batch_norm"
    )
    assert "BatchNorm" in entry.toolTip(0) or "batch" in entry.toolTip(0).lower()
    mime = tree.mimeData([entry])
    target = QPoint(300, 200)
    before = set(window.doc.project.graph.nodes)
    viewport = window.view.viewport()
    enter = QDragEnterEvent(target, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(target, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(QPointF(target), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(viewport, drop)
    added = set(window.doc.project.graph.nodes) - before
    assert len(added) == 1
    node = window.doc.project.graph.nodes[added.pop()]
    assert node.block == "batch_norm"
    expected = window.view.mapToScene(target)
    assert abs(node.pos[0] - expected.x()) < 1 and abs(node.pos[1] - expected.y()) < 1
    assert window.scene.nodes[node.id].pos() == QPointF(*node.pos)


def test_double_click_adds_at_centre(window):
    before = len(window.doc.project.graph.nodes)
    window.palette.add_requested.emit("relu")
    assert len(window.doc.project.graph.nodes) == before + 1


def test_connect_two_ports_with_real_mouse_drag(window, qtbot):
    a, b = _two_free_nodes(window)
    drag(window, out_port(window, a), in_port(window, b))
    assert Edge(a, b, 0) in window.doc.project.graph.edges
    assert any(e == Edge(a, b, 0) for e in window.scene.edges)
    window.doc.undo_stack.undo()
    assert Edge(a, b, 0) not in window.doc.project.graph.edges
    assert Edge(a, b, 0) not in window.scene.edges


def test_cycle_is_refused_while_dragging(window, qtbot):
    a, b = _two_free_nodes(window)
    drag(window, out_port(window, a), in_port(window, b))
    edges_before = list(window.doc.project.graph.edges)
    drag(window, out_port(window, b), in_port(window, a), release=False)
    assert window.view._wire.colour == style.WIRE_BAD
    assert "cycle" in window.statusBar().currentMessage()
    QTest.mouseRelease(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, in_port(window, a))
    assert window.doc.project.graph.edges == edges_before
    assert "cycle" in window.statusBar().currentMessage()


def test_edge_labels_show_the_shape_they_carry(window):
    graph = window.doc.project.graph
    conv1 = graph.by_name("conv1").id
    edge = next(e for e in window.scene.edges if e.src == conv1)
    assert window.scene.edges[edge].label == "6×28×28"


def test_click_and_rubber_band_selection(window, qtbot):
    conv1 = window.doc.project.graph.by_name("conv1").id
    item = window.scene.nodes[conv1]
    window.view.centerOn(item)
    centre = window.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, centre)
    assert window.selected_node_ids() == [conv1]
    window.view.fit()
    rect = window.view.mapFromScene(window.scene.items_rect()).boundingRect()
    drag(window, rect.topLeft() + QPoint(2, 2), rect.bottomRight() - QPoint(2, 2))
    assert len(window.selected_node_ids()) == len(window.doc.project.graph.nodes)


def test_moving_a_node_is_one_undoable_step(window, qtbot):
    conv1 = window.doc.project.graph.by_name("conv1").id
    item = window.scene.nodes[conv1]
    window.view.resetTransform()
    window.view.centerOn(item)
    start = window.view.mapFromScene(item.sceneBoundingRect().center())
    old = window.doc.project.graph.nodes[conv1].pos
    drag(window, start, start + QPoint(120, 10))
    new = window.doc.project.graph.nodes[conv1].pos
    assert new != old
    window.doc.undo_stack.undo()
    assert window.doc.project.graph.nodes[conv1].pos == old
    assert (item.pos().x(), item.pos().y()) == old


def test_problems_list_errors_and_select_the_node(window):
    graph = window.doc.project.graph
    window.editing.add_block("relu", QPointF(600, 0))
    window.doc.refresh_analysis()
    window.problems.refresh()  # the panel follows edits after a short pause
    lone = [n.id for n in graph.nodes.values() if n.block == "relu"][-1]
    item = window.scene.nodes[lone]  # a spare node: left out with a warning, drawn faded
    assert item.opacity() < 1 and "needs an input" in item.toolTip()
    items = [window.problems.item(i) for i in range(window.problems.count())]
    hit = next(i for i in items if i.data(Qt.UserRole + 1) == lone)
    window.select_nodes([])
    window.problems.itemClicked.emit(hit)
    assert window.selected_node_ids() == [lone]


def test_auto_layout_is_layered_and_undoable(window):
    graph = window.doc.project.graph
    before = window.doc.project.to_json()
    for i, nid in enumerate(graph.nodes):
        graph.move(nid, (i * 37.0 % 300, -i * 50.0))
    window.doc.undo_stack.setClean()
    scrambled = window.doc.project.to_json()
    window.editing.auto_layout()
    positions = {nid: n.pos for nid, n in graph.nodes.items()}
    assert all(positions[e.src][1] < positions[e.dst][1] for e in graph.edges)
    assert crossings(graph, positions) == 0
    window.doc.undo_stack.undo()
    assert window.doc.project.to_json() == scrambled != before


def test_layout_of_a_residual_graph_has_no_crossings():
    from runtime.graph import Graph

    g = Graph()
    ids = [g.add_node("input").id]
    for _ in range(3):
        a = g.add_node("conv2d").id
        b = g.add_node("conv2d").id
        s = g.add_node("add").id
        g.connect(ids[-1], a)
        g.connect(a, b)
        g.connect(b, s)
        g.connect(ids[-1], s)
        ids.append(s)
    positions = layered_positions(g)
    assert crossings(g, positions) == 0
    assert len(set(positions.values())) == len(positions)
