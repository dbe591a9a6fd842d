"""Inspector edits, undo/redo back to the file, clipboard, the analysis table."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QSpinBox

from runtime.graph import Edge


def test_parameter_edit_updates_shape_label_and_is_undoable(window, qtbot):
    graph = window.doc.project.graph
    conv1 = graph.by_name("conv1").id
    window.select_nodes([conv1])
    editor = window.inspector.editors["out_channels"]
    assert isinstance(editor, QSpinBox) and editor.high == 16384  # the arrows stop there
    editor.setValue(12)
    assert graph.nodes[conv1].params["out_channels"] == 12
    qtbot.waitUntil(lambda: window.scene.nodes[conv1].shape_text == "12×28×28", timeout=2000)
    assert window.scene.nodes[conv1].summary.startswith("12")
    edge = next(e for e in window.scene.edges if e.src == conv1)
    assert window.scene.edges[edge].label == "12×28×28"
    window.doc.undo_stack.undo()
    qtbot.waitUntil(lambda: window.scene.nodes[conv1].shape_text == "6×28×28", timeout=2000)
    assert window.inspector.editors["out_channels"].value() == 6


def test_invalid_value_is_refused_with_reason_and_not_applied(window):
    graph = window.doc.project.graph
    drop = window.doc.project.graph.add_node("dropout").id
    window.doc.undo_stack.clear()
    window.select_nodes([drop])
    before = dict(graph.nodes[drop].params)
    assert not window.inspector.apply("p", 1.5)
    assert graph.nodes[drop].params == before
    assert "at most" in window.inspector.error.text()
    assert window.doc.undo_stack.count() == 0
    assert not window.inspector.apply("p", "abc")
    assert graph.nodes[drop].params == before


def test_edit_applies_to_every_selected_node_of_one_type(window):
    graph = window.doc.project.graph
    convs = [graph.by_name("conv1").id, graph.by_name("conv2").id]
    window.select_nodes(convs)
    assert window.inspector.node_ids == convs
    assert window.inspector.apply("kernel_size", 3)
    assert all(graph.nodes[c].params["kernel_size"] == 3 for c in convs)
    window.doc.undo_stack.undo()
    assert [graph.nodes[c].params["kernel_size"] for c in convs] == [5, 5]


def test_rename_refuses_duplicates(window):
    graph = window.doc.project.graph
    conv1 = graph.by_name("conv1").id
    window.select_nodes([conv1])
    name = window.inspector.editors["__name__"]
    name.setText("conv2")
    name.editingFinished.emit()
    assert graph.nodes[conv1].name == "conv1"
    assert "already called" in window.inspector.error.text()
    name.setText("stem")
    name.editingFinished.emit()
    assert graph.nodes[conv1].name == "stem"
    assert window.scene.nodes[conv1].name == "stem"


def test_undo_redo_sequence_returns_to_original_file(window, qtbot):
    doc = window.doc
    graph = doc.project.graph
    original = doc.project.to_json()
    new = window.editing.add_block("relu", QPointF(400, 300))
    conv1, tanh1 = graph.by_name("conv1").id, graph.by_name("tanh1").id
    assert doc.remove_items([], [Edge(conv1, tanh1, 0)]) is None
    assert doc.connect(conv1, new) is None
    window.select_nodes([conv1])
    window.inspector.apply("stride", 2)
    window.select_nodes([graph.by_name("fc1").id])
    window.editing.cut()
    window.editing.paste()
    window.select_nodes([conv1])
    window.editing.duplicate()
    window.editing.auto_layout()
    edited = doc.project.to_json()
    assert edited != original
    assert not doc.undo_stack.isClean() and window.isWindowModified()
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.project.to_json() == original
    assert doc.undo_stack.isClean() and not window.isWindowModified()
    assert len(window.scene.nodes) == len(graph.nodes) and len(window.scene.edges) == len(
        graph.edges
    )
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert doc.project.to_json() == edited


def test_paste_gives_fresh_ids_and_names_and_keeps_inner_wires(window):
    graph = window.doc.project.graph
    ids = [graph.by_name("conv1").id, graph.by_name("tanh1").id]
    window.select_nodes(ids)
    window.editing.copy()
    window.editing.paste()
    pasted = window.selected_node_ids()
    assert len(pasted) == 2 and not set(pasted) & set(ids)
    names = {graph.nodes[p].name for p in pasted}
    assert not names & {"conv1", "tanh1"}
    assert Edge(pasted[0], pasted[1], 0) in graph.edges
    assert graph.nodes[pasted[0]].params == graph.nodes[ids[0]].params


def test_table_and_canvas_selection_follow_each_other(window):
    graph = window.doc.project.graph
    model = window.analysis_panel.model
    assert model.rowCount() == len(graph.nodes) + 1
    conv2 = graph.by_name("conv2").id
    window.select_nodes([conv2])
    assert window.analysis_panel.selected_ids() == [conv2]
    received = []
    window.selection_changed.connect(received.append)
    window.analysis_panel.select_ids([graph.by_name("fc1").id])
    window.analysis_panel._rows_selected()
    assert window.selected_node_ids() == [graph.by_name("fc1").id]
    assert received[-1] == [graph.by_name("fc1").id]


def test_table_totals_flops_and_input_size(window):
    panel = window.analysis_panel
    total_params = window.doc.analysis.params
    last = panel.model.rowCount() - 1
    assert panel.model.index(last, 3).data() == f"{total_params:,}"
    panel.table.sortByColumn(3, Qt.AscendingOrder)
    assert panel.proxy.index(panel.proxy.rowCount() - 1, 0).data() == "Total"
    panel.table.sortByColumn(3, Qt.DescendingOrder)
    assert panel.proxy.index(panel.proxy.rowCount() - 1, 0).data() == "Total"
    panel.flops.setChecked(True)
    assert panel.model.headerData(4, Qt.Horizontal) == "FLOPs"
    panel.dims[1].setValue(32)
    panel.dims[2].setValue(32)
    window.doc.refresh_analysis()
    conv1 = window.doc.project.graph.by_name("conv1").id
    assert window.doc.project.input_shape == (1, 32, 32)
    assert window.scene.nodes[conv1].shape_text == "6×32×32"
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert window.doc.project.input_shape == (1, 28, 28)


def test_shading_by_parameter_share(window):
    window.actions_by_name["shade_params"].trigger()
    fc1 = window.doc.project.graph.by_name("fc1").id
    tanh1 = window.doc.project.graph.by_name("tanh1").id
    assert window.scene.nodes[fc1].shade == 1.0
    assert window.scene.nodes[tanh1].shade == 0.0
