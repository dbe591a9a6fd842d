"""Groups on the canvas with real keys and clicks: Ctrl+G, double-click to collapse and expand, the
collapsed box with its figures and wires, dragging it, undo, the group context menu."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from runtime.format import compact
from runtime.groups import groups
from tests.studio.helpers import (
    activate,
    choose_in_popup,
    double_click,
    drag,
    keys_to_focus,
    node_centre,
    right_click,
    viewport_point,
)


def _select_by_click(qtbot, window, ids: list[str]) -> None:
    activate(qtbot, window)
    viewport = window.view.viewport()
    QTest.mouseClick(viewport, Qt.LeftButton, Qt.NoModifier, node_centre(window, ids[0]))
    for nid in ids[1:]:
        QTest.mouseClick(viewport, Qt.LeftButton, Qt.ControlModifier, node_centre(window, nid))
    assert window.selected_node_ids() == ids


def _group_conv_block(qtbot, window) -> tuple[str, list[str]]:
    graph = window.doc.project.graph
    ids = [graph.by_name(n).id for n in ("conv2", "tanh2", "avgpool2")]
    _select_by_click(qtbot, window, ids)
    keys_to_focus(Qt.Key_G, Qt.ControlModifier)
    found = groups(graph)
    assert list(found.values()) == [ids]
    name = next(iter(found))
    qtbot.waitUntil(lambda: name in window.scene.groups)
    return name, ids


def _title_point(window, name: str) -> QPoint:
    item = window.scene.groups[name]
    title = item.title_rect()
    window.view.ensureVisible(title, 10, 10)
    return viewport_point(window, title.center() - QPointF(title.width() / 3, 0))


def _box_point(window, name: str) -> QPoint:
    item = window.scene.groups[name]
    window.view.ensureVisible(item, 10, 10)
    return viewport_point(window, item.sceneBoundingRect().center())


def test_ctrl_g_groups_and_a_double_click_collapses_then_expands(window, qtbot):
    name, ids = _group_conv_block(qtbot, window)
    scene, graph = window.scene, window.doc.project.graph
    frame = scene.groups[name]
    assert not frame.collapsed
    for nid in ids:  # the frame holds every block with its ports
        assert frame.frame_rect().contains(
            scene.nodes[nid].sceneBoundingRect().adjusted(1, 1, -1, -1)
        )
    double_click(window.view.viewport(), _title_point(window, name))
    qtbot.waitUntil(lambda: scene.groups[name].collapsed)
    assert graph.collapsed == {name}
    assert not any(scene.nodes[nid].isVisible() for nid in ids)
    box = scene.groups[name]
    ins, outs, cost = box.lines
    assert (ins, outs, box.count) == ("6×14×14", "16×5×5", "3 blocks")
    params = sum(window.doc.analysis.nodes[n].params for n in ids)
    assert f"{compact(params)} params" in cost and "MACs" in cost
    assert f"{params:,} parameters" in box.toolTip()  # the exact figure
    # the wires entering and leaving attach to the box; the ones inside are hidden
    inside = [e for e, item in scene.edges.items() if e.src in ids and e.dst in ids]
    assert inside and not any(scene.edges[e].isVisible() for e in inside)
    entering = next(e for e in scene.edges if e.dst == ids[0])
    path = scene.edges[entering].path()
    assert path.pointAtPercent(1.0) == box.mapToScene(box.in_port_pos(0))
    leaving = next(e for e in scene.edges if e.src == ids[-1])
    assert scene.edges[leaving].path().pointAtPercent(0.0) == box.mapToScene(box.out_port_pos())
    double_click(window.view.viewport(), _box_point(window, name))
    qtbot.waitUntil(lambda: not scene.groups[name].collapsed)
    assert all(scene.nodes[nid].isVisible() for nid in ids) and graph.collapsed == set()
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)  # undo the expand
    qtbot.waitUntil(lambda: scene.groups[name].collapsed)
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)  # … and the grouping
    qtbot.waitUntil(lambda: not scene.groups)
    assert groups(graph) == {} and all(item.isVisible() for item in scene.nodes.values())


def test_dragging_a_collapsed_group_moves_its_blocks_in_one_undo_step(window, qtbot):
    name, ids = _group_conv_block(qtbot, window)
    graph = window.doc.project.graph
    window.doc.set_group_collapsed(name, True)
    qtbot.waitUntil(lambda: window.scene.groups[name].collapsed)
    before = {nid: graph.nodes[nid].pos for nid in ids}
    start = _box_point(window, name)
    drag(window, start, start + QPoint(120, 40))
    scale = window.view.transform().m11()
    for nid in ids:
        dx = graph.nodes[nid].pos[0] - before[nid][0]
        dy = graph.nodes[nid].pos[1] - before[nid][1]
        assert abs(dx - 120 / scale) < 2 and abs(dy - 40 / scale) < 2
    window.doc.undo_stack.undo()
    assert {nid: graph.nodes[nid].pos for nid in ids} == before


def test_selecting_a_collapsed_group_selects_its_blocks_for_delete(window, qtbot):
    name, ids = _group_conv_block(qtbot, window)
    window.doc.set_group_collapsed(name, True)
    qtbot.waitUntil(lambda: window.scene.groups[name].collapsed)
    activate(qtbot, window)
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, _box_point(window, name))
    assert window.selected_node_ids() == ids
    keys_to_focus(Qt.Key_Delete)
    graph = window.doc.project.graph
    assert not any(nid in graph.nodes for nid in ids)
    qtbot.waitUntil(lambda: name not in window.scene.groups)


def test_group_context_menu_ungroups_and_ctrl_shift_g_ungroups_the_selection(window, qtbot):
    name, ids = _group_conv_block(qtbot, window)
    graph = window.doc.project.graph
    seen: list = []
    choose_in_popup("Ungroup", seen)
    right_click(window, _title_point(window, name))
    assert "Collapse Group" in seen[0] and "Rename Group…" in seen[0], seen
    assert groups(graph) == {}
    window.doc.undo_stack.undo()
    assert list(groups(graph).values()) == [ids]
    _select_by_click(qtbot, window, ids[:1])
    keys_to_focus(Qt.Key_G, Qt.ControlModifier | Qt.ShiftModifier)
    assert groups(graph) == {}


def test_duplicating_a_group_makes_a_group_of_its_own(window, qtbot):
    name, ids = _group_conv_block(qtbot, window)
    keys_to_focus(Qt.Key_D, Qt.ControlModifier)
    found = groups(window.doc.project.graph)
    assert found[name] == ids and found[f"{name} 2"] == window.selected_node_ids()


def test_analysis_tree_mode_has_a_row_per_group_and_selects_its_blocks(window, qtbot):
    name, ids = _group_conv_block(qtbot, window)
    panel = window.analysis_panel
    window.docks["analysis"].raise_()
    box = panel.by_group
    QTest.mouseClick(box, Qt.LeftButton, Qt.NoModifier, box.rect().center())
    assert panel.tree_mode()
    tree = panel.tree
    qtbot.waitUntil(lambda: name in tree.group_rows)
    tops = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    graph, analysis = window.doc.project.graph, window.doc.analysis
    assert len(tops) == len(graph.nodes) - len(ids) + 2  # the group row and the totals
    row = tree.group_rows[name]
    assert [row.child(i).text(0) for i in range(row.childCount())] == [
        graph.nodes[n].name for n in ids
    ]
    params = sum(analysis.nodes[n].params for n in ids)
    assert row.text(3) == f"{params:,}" and row.text(2) == "16×5×5"
    assert tops[-1].text(0) == "Total"
    rect = tree.visualItemRect(row)
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    assert window.selected_node_ids() == ids
    window.scene.select_nodes([ids[1]])
    assert [r.text(0) for r in tree.selectedItems()] == [graph.nodes[ids[1]].name]
    header = tree.header()  # sorting by parameters keeps the totals last
    QTest.mouseClick(
        header.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        QPoint(header.sectionViewportPosition(3) + 10, header.height() // 2),
    )
    last = tree.topLevelItem(tree.topLevelItemCount() - 1)
    assert last.text(0) == "Total"


def test_frame_pieces_split_folded_columns_and_keep_side_by_side_branches_together():
    from PySide6.QtCore import QRectF

    from studio.canvas.group_item import frame_pieces
    from studio.canvas.style import NODE_H, NODE_W

    def box(x: float, y: float) -> QRectF:
        return QRectF(x - NODE_W / 2, y - NODE_H / 2, NODE_W, NODE_H)

    # a residual branch beside its path (one layer apart across) shares one frame ...
    branch = [box(0, 0), box(0, 100), box(220, 100), box(0, 200)]
    assert len(frame_pieces(branch)) == 1
    # ... a stage whose last block a fold put at the top of the next column gets two
    folded = [box(0, 800), box(0, 900), box(340, 0)]
    pieces = frame_pieces(folded)
    assert [p.center().x() for p in pieces] == [0.0, 340.0]
    assert pieces[0].height() == 100 + NODE_H and pieces[1].height() == NODE_H
    # left to right the columns stand along the other axis
    assert len(frame_pieces([box(0, 0), box(232, 0), box(0, 176)], "right")) == 2


def test_no_group_frame_covers_a_block_of_another_group(make_window):
    from runtime.project import load_project

    for template in ("googlenet", "resnet50", "unet"):
        window = make_window(load_project(f"assets/templates/{template}.json"))
        scene = window.scene
        assert scene.groups
        for name, item in scene.groups.items():
            assert not item.collapsed
            frames = item.frame_rects()
            for nid, node in scene.nodes.items():
                if scene._group_of.get(nid) == name:
                    assert any(f.contains(node.sceneBoundingRect()) for f in frames)
                else:
                    centre = node.sceneBoundingRect().center()
                    assert not any(f.contains(centre) for f in frames), (template, name, nid)
            if len(frames) > 1:  # a stage split over two columns says so on the second
                assert [text for _, text in item.titles()][1] == f"{name} (cont.)"


def test_a_collapsed_box_takes_its_wires_on_its_sides_when_the_flow_runs_right(window, qtbot):
    name, ids = _group_conv_block(qtbot, window)
    window.doc.set_group_collapsed(name, True)
    qtbot.waitUntil(lambda: window.scene.groups[name].collapsed)
    window.editing.set_direction("right")
    box = window.scene.groups[name]
    assert box.flow == "right"
    entering = next(e for e in window.scene.edges if e.dst == ids[0])
    leaving = next(e for e in window.scene.edges if e.src == ids[-1])
    left, right = box.sceneBoundingRect().left(), box.sceneBoundingRect().right()
    end = window.scene.edges[entering].path().pointAtPercent(1.0)
    start = window.scene.edges[leaving].path().pointAtPercent(0.0)
    assert abs(end.x() - box.mapToScene(box.box().topLeft()).x()) < 1 and end.x() < start.x()
    assert left < end.x() < start.x() < right
    # the box stands between its neighbours, left to right
    before = window.scene.nodes[entering.src].sceneBoundingRect().right()
    after = window.scene.nodes[leaving.dst].sceneBoundingRect().left()
    assert before < left and right < after


def test_zoomed_out_the_overview_titles_only_the_blocks_a_collapsed_group_leaves_shown(
    window, qtbot
):
    name, ids = _group_conv_block(qtbot, window)
    window.doc.set_group_collapsed(name, True)
    qtbot.waitUntil(lambda: window.scene.groups[name].collapsed)
    window.view.resetTransform()
    window.view.scale(0.3, 0.3)  # the overview, with titles
    window.view.viewport().repaint()
    overview = window.scene.overview
    titled = {spot[1].toPoint() for spot in overview._titles}
    assert len(overview._titles) == len(window.scene.nodes) - len(ids)
    shown = [n for n in window.scene.nodes.values() if n.isVisible()]
    assert len(titled) == len(shown)
    # the titles are laid out once per zoom level, not per paint
    spots = overview._titles
    window.view.viewport().repaint()
    assert overview._titles is spots
