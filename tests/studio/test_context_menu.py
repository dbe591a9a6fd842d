"""The canvas context menu, opened with a real right click: expanding a composite block into
primitives."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from runtime.analysis import analyze
from runtime.project import load_project
from tests.studio.helpers import choose_in_popup, focus, keys_to_focus, node_centre, right_click

RESNET20 = Path(__file__).resolve().parents[2] / "assets" / "templates" / "resnet20_cifar.json"


def test_expand_residual_block_from_the_context_menu_and_undo(make_window, qtbot):
    window = make_window(load_project(RESNET20))
    doc, graph = window.doc, window.doc.project.graph
    block = next(n for n in graph.nodes.values() if n.block == "residual_basic")
    block_id, block_name = block.id, block.name
    source = next(e.src for e in graph.inputs_of(block_id))
    consumers = sorted((e.dst, e.port) for e in graph.consumers(block_id))
    before_json, before_params = doc.project.to_json(), analyze(doc.project).params
    nodes_before = set(graph.nodes) - {block_id}

    seen: list = []
    choose_in_popup("Expand into primitives", seen)
    right_click(window, node_centre(window, block_id))
    qtbot.waitUntil(lambda: seen and block_name not in graph.names(), timeout=5000)

    assert seen[0][0] == "Expand into primitives" and "Delete" in seen[0]
    new = [nid for nid in graph.nodes if nid not in nodes_before]
    assert len(new) > 1 and all(not graph.nodes[n].spec.composite for n in new)
    assert all(graph.nodes[n].name.startswith(block_name + "_") for n in new)
    assert analyze(doc.project).params == before_params
    assert not doc.analysis.problems
    assert any(
        e.src == source and e.dst in new for e in graph.edges
    )  # the block's input feeds the primitives
    feeding = {(e.dst, e.port) for e in graph.edges if e.src in new and e.dst not in new}
    assert feeding == set(consumers)  # and its consumers now read the primitives' output
    assert len(window.scene.nodes) == len(graph.nodes) and len(window.scene.edges) == len(
        graph.edges
    )
    assert doc.undo_stack.undoText() == f"Expand {block_name}"

    focus(qtbot, window.view)
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier)
    assert doc.project.to_json() == before_json
    assert graph.nodes[block_id].block == "residual_basic"
    assert len(window.scene.nodes) == len(graph.nodes) and len(window.scene.edges) == len(
        graph.edges
    )
    keys_to_focus(Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert block_name not in graph.names() and analyze(doc.project).params == before_params


def test_context_menu_of_a_primitive_has_no_expand_entry(window, qtbot):
    conv1 = window.doc.project.graph.by_name("conv1").id
    seen: list = []
    choose_in_popup("Duplicate", seen)
    count = len(window.doc.project.graph.nodes)
    right_click(window, node_centre(window, conv1))
    qtbot.waitUntil(lambda: len(window.doc.project.graph.nodes) == count + 1, timeout=5000)
    assert not any(entry.startswith("Expand") for entry in seen[0])
    assert window.selected_node_ids() != [conv1]  # the duplicate is selected
