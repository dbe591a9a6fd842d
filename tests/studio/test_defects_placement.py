"""New nodes land in free space: Paste, Duplicate and "Expand into primitives" never put a node on
top of another (real keys and a real context menu)."""

from __future__ import annotations

from itertools import combinations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from runtime.placement import free_offset, make_room
from runtime.project import load_project
from tests.studio.conftest import LENET
from tests.studio.helpers import activate, choose_in_popup, focus, node_centre, right_click


def _overlapping(window) -> list[tuple[str, str]]:
    items = window.scene.nodes
    return [
        (a, b)
        for a, b in combinations(items, 2)
        if items[a].sceneBoundingRect().intersects(items[b].sceneBoundingRect())
    ]


def _select_by_click(qtbot, window, node_id: str) -> None:
    activate(qtbot, window)
    point = node_centre(window, node_id)
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    focus(qtbot, window.view)


def test_duplicate_and_paste_land_beside_not_on_top(window, qtbot):
    graph = window.doc.project.graph
    assert _overlapping(window) == []
    _select_by_click(qtbot, window, graph.by_name("conv1").id)
    QTest.keyClick(window.view, Qt.Key_D, Qt.ControlModifier)
    assert len(graph.nodes) == 14 and _overlapping(window) == []
    QTest.keyClick(window.view, Qt.Key_C, Qt.ControlModifier)
    QTest.keyClick(window.view, Qt.Key_V, Qt.ControlModifier)
    QTest.keyClick(window.view, Qt.Key_V, Qt.ControlModifier)
    assert len(graph.nodes) == 16 and _overlapping(window) == []


def test_expand_into_primitives_makes_room(make_window, qtbot):
    window = make_window(load_project(LENET.with_name("resnet18.json")))
    graph = window.doc.project.graph
    window.editing.auto_layout()
    assert _overlapping(window) == []
    block = next(n for n in graph.nodes.values() if n.spec.composite)
    activate(qtbot, window)
    seen: list = []
    count = len(graph.nodes)
    choose_in_popup("Expand into primitives", seen)
    right_click(window, node_centre(window, block.id))
    qtbot.waitUntil(lambda: len(graph.nodes) > count, timeout=3000)
    assert _overlapping(window) == []
    focus(qtbot, window.view)
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert len(graph.nodes) == count and graph.nodes[block.id].block == block.block


def test_free_offset_and_make_room():
    taken = [(0.0, 0.0), (0.0, 100.0)]
    assert free_offset([(500.0, 0.0)], taken) == (0.0, 0.0)
    dx, dy = free_offset([(0.0, 0.0), (0.0, 100.0)], taken)
    assert abs(dx) >= 176 or abs(dy) >= 58
    moved = make_room(
        {"a": (0.0, -100.0), "b": (0.0, 100.0)}, (0.0, 0.0), [(0.0, -50.0), (0.0, 150.0)]
    )
    assert moved["b"][1] > 100.0 and moved["a"][1] < -100.0


def test_a_selection_change_after_the_scene_was_cleared_raises_nothing(window, qtbot):
    window.editing.select_all()
    window.scene.clear()  # what Qt does to every item when a scene is torn down
    window.scene.selectionChanged.emit()  # raised "Internal C++ object (WireLayer) already deleted"
    window.scene.rebuild()
    assert len(window.scene.nodes) == len(window.doc.project.graph.nodes)
