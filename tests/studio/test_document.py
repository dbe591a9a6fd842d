"""The document alone (no window): intents, refusals, undo and redo, merged settings edits,
events."""

from __future__ import annotations

import pytest

from runtime.project import load_project
from runtime.project_events import InputShapeChanged, NodeAdded
from tests.studio.conftest import LENET


@pytest.fixture
def doc(qapp):
    from studio.document import Document

    document = Document(load_project(LENET))
    yield document
    document.close()


def test_intents_are_undoable_and_refusals_push_nothing(doc):
    graph, stack = doc.project.graph, doc.undo_stack
    original = doc.project.to_json()
    reasons: list[str] = []
    doc.refused.connect(reasons.append)
    assert doc.add_nodes([{"block": "relu", "pos": (10, 10)}], (), "Add ReLU") is None
    relu = doc.last_added[0]
    assert doc.connect(graph.by_name("fc2").id, relu) is None
    assert doc.set_params([graph.by_name("conv1").id], {"kernel_size": 3}) is None
    assert doc.rename(relu, "act") is None
    assert doc.move_nodes({relu: (50, 60)}) is None
    assert doc.set_input_shape((1, 32, 32)) is None
    assert stack.count() == 6 and stack.undoText() == "Change input size"

    reason = doc.rename(relu, "conv2")
    assert reason is not None and "already called" in reason and reasons == [reason]
    assert doc.set_params([relu], {"nope": 1}) is not None
    assert doc.set_input_shape((0, 1, 1)) is not None
    assert stack.count() == 6

    edited = doc.project.to_json()
    while stack.canUndo():
        stack.undo()
    assert doc.project.to_json() == original
    while stack.canRedo():
        stack.redo()
    assert doc.project.to_json() == edited


def test_unchanged_values_make_no_undo_step(doc):
    conv1 = doc.project.graph.by_name("conv1")
    assert doc.move_nodes({conv1.id: conv1.pos}) is None
    assert doc.set_input_shape(doc.project.input_shape) is None
    assert doc.set_section("training", {}, "lr") is None
    assert doc.undo_stack.count() == 0


def test_edits_of_one_settings_field_are_one_step_and_cancel_out(doc):
    sections: list[str] = []
    doc.section_changed.connect(sections.append)
    for lr in (0.2, 0.25, 0.3):
        doc.set_section("training", {"lr": lr}, "lr")
    doc.set_section("training", {"lr": 0.3, "epochs": 4}, "epochs")
    assert doc.undo_stack.count() == 2 and sections == ["training"] * 4
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.project.training == {}
    doc.set_section("data", {"source": "folder"}, "source")
    doc.set_section("data", {}, "source")
    assert doc.undo_stack.count() == 0  # ended where it began: the merged step is dropped
    assert doc.set_section("bogus", {"a": 1}, "a") is not None


def test_changed_carries_typed_events_and_a_new_project_is_followed(doc):
    events = []
    doc.changed.connect(events.append)
    doc.add_nodes([{"block": "relu"}])
    doc.set_input_shape((3, 28, 28))
    assert [type(e) for e in events] == [NodeAdded, InputShapeChanged]
    doc.replace(load_project(LENET))
    doc.add_nodes([{"block": "relu"}])
    assert type(events[-1]) is NodeAdded and doc.undo_stack.count() == 1


def test_analysis_table_writes_figures_as_the_command_line_does(doc):
    from runtime.format import bytes_text, compact, count_text
    from runtime.report import summary_table
    from studio.analysis_table import AnalysisModel

    model = AnalysisModel(doc)
    model.reload()
    analysis, total = doc.analysis, model.rowCount() - 1
    assert model.index(total, 4).data() == compact(analysis.macs)
    assert model.index(total, 3).data() == count_text(analysis.params)
    assert model.index(total, 2).data() == ""  # the Total row keeps to its columns
    memory = f"{bytes_text(analysis.activation_bytes)} at batch {analysis.batch_size}"
    assert memory in model.index(total, 6).data()
    cli = summary_table(analysis, doc.project.graph)
    conv1 = doc.project.graph.by_name("conv1").id
    row = next(r for r in range(total) if model.index(r, 0).data() == "conv1")
    macs = model.index(row, 4).data()
    assert any(line.startswith("conv1") and f" {macs} " in line for line in cli.splitlines())
    assert analysis.nodes[conv1].macs > 1000
