"""Headless edits: each one's apply and revert, refusals that change nothing, typed project
events."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.edits import (
    AddNodes,
    Connect,
    Disconnect,
    EditGroup,
    MoveNodes,
    RemoveItems,
    Rename,
    ReplaceGraph,
    SetInputShape,
    SetParams,
    SetSection,
)
from runtime.errors import (
    CycleError,
    GraphError,
    InputShapeError,
    ParamError,
    PortError,
    SectionError,
)
from runtime.expand import expand_node
from runtime.graph import Edge, Graph
from runtime.project import Project, load_project
from runtime.project_events import (
    EdgeAdded,
    GraphReset,
    InputShapeChanged,
    NodeAdded,
    ProjectEvent,
    SectionChanged,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "assets" / "templates"


@pytest.fixture
def lenet() -> Project:
    return load_project(TEMPLATES / "lenet5.json")


def round_trip(project: Project, edit) -> tuple[str, str]:
    """Apply, revert and apply again; the JSON after apply and after revert."""
    before = project.to_json()
    edit.apply(project)
    after = project.to_json()
    assert after != before
    edit.revert(project)
    assert project.to_json() == before
    edit.apply(project)
    assert project.to_json() == after
    edit.revert(project)
    return before, after


def refused(project: Project, edit, error: type[Exception], match: str) -> None:
    """The edit is refused with `error` naming the problem, and the project is unchanged."""
    before = project.to_json()
    with pytest.raises(error, match=match):
        edit.apply(project)
    assert project.to_json() == before


def test_add_nodes_with_wires_to_existing_nodes(lenet):
    conv1 = lenet.graph.by_name("conv1").id
    edit = AddNodes(
        [{"key": "a", "block": "relu", "pos": (5, 5)}, {"key": "b", "block": "dropout"}],
        [("a", "b", 0)],
        "Paste",
    )
    round_trip(lenet, edit)
    edit.apply(lenet)
    a, b = edit.added
    assert Edge(a, b, 0) in lenet.graph.edges and lenet.graph.nodes[a].pos == (5.0, 5.0)
    refused(lenet, AddNodes([{"block": "relu"}, {"block": "nonsense"}]), GraphError, "nonsense")
    refused(
        lenet,
        AddNodes([{"key": "k", "block": "relu"}], [("k", conv1, 0)]),
        PortError,
        "already connected",
    )
    refused(lenet, AddNodes([{"params": {}}]), GraphError, "malformed")


def test_remove_items_restores_order_ids_names_and_merge_ports():
    g = Graph()
    src = g.add_node("input").id
    a, b, c = (g.add_node("relu").id for _ in range(3))
    merge = g.add_node("concat").id
    for n in (a, b, c):
        g.connect(src, n)
        g.connect(n, merge)
    project = Project(graph=g)
    round_trip(project, RemoveItems([b]))
    round_trip(project, RemoveItems([], [Edge(a, merge, 0)]))
    round_trip(project, RemoveItems([a, src], [Edge(c, merge, 2)], "Cut"))
    refused(project, RemoveItems(["n99"]), GraphError, "n99")
    refused(project, RemoveItems([], [Edge(a, merge, 7)]), PortError, "no wire")


def test_connect_and_disconnect(lenet):
    g = lenet.graph
    conv1, tanh1, fc2 = g.by_name("conv1").id, g.by_name("tanh1").id, g.by_name("fc2").id
    loose = g.add_node("relu").id
    round_trip(lenet, Connect(fc2, loose))
    round_trip(lenet, Disconnect(Edge(conv1, tanh1, 0)))
    x, y = g.add_node("relu").id, g.add_node("relu").id
    g.connect(x, y)
    refused(lenet, Connect(y, x), CycleError, "cycle")
    refused(lenet, Disconnect(Edge(fc2, conv1, 0)), PortError, "no such connection")


def test_move_set_params_rename(lenet):
    g = lenet.graph
    convs = [g.by_name("conv1").id, g.by_name("conv2").id]
    round_trip(lenet, MoveNodes({convs[0]: (1, 2), convs[1]: (3.5, 4)}))
    round_trip(lenet, SetParams(convs, {"kernel_size": 3, "bias": False}))
    round_trip(lenet, Rename(convs[0], "stem"))
    refused(lenet, MoveNodes({"n404": (0, 0)}), GraphError, "n404")
    refused(lenet, SetParams(convs, {"out_channels": 0}), ParamError, "out_channels")
    refused(
        lenet,
        SetParams([convs[0], g.by_name("tanh1").id], {"kernel_size": 3}),
        ParamError,
        "kernel_size",
    )
    refused(lenet, Rename(convs[0], "conv2"), ParamError, "already called")


def test_input_shape_and_sections(lenet):
    round_trip(lenet, SetInputShape((3, 32, 32)))
    round_trip(lenet, SetSection("training", {"lr": 0.5}, "lr"))
    round_trip(lenet, SetSection("data", {"source": "folder", "path": "x"}, "source"))
    refused(lenet, SetInputShape((0, 32, 32)), InputShapeError, "positive")
    refused(lenet, SetInputShape((1, 2)), InputShapeError, "three")
    with pytest.raises(SectionError, match="unknown project section 'nope'"):
        SetSection("nope", {}, "x")


def test_section_edits_of_one_field_merge_and_cancel_out(lenet):
    first, second = (
        SetSection("training", {"lr": 0.2}, "lr"),
        SetSection("training", {"lr": 0.25}, "lr"),
    )
    first.apply(lenet)
    second.apply(lenet)
    assert first.merge(second) and first.merge_key() == second.merge_key()
    first.revert(lenet)
    assert lenet.training == {}
    first.apply(lenet)
    assert lenet.training == {"lr": 0.25}
    back = SetSection("training", {}, "lr")
    back.apply(lenet)
    assert first.merge(back) and first.is_noop()
    assert not first.merge(SetSection("training", {"epochs": 2}, "epochs"))


def test_replace_graph_by_a_build_function_and_by_a_graph():
    project = Project(graph=Graph())
    g = project.graph
    src = g.add_node("input").id
    block = g.add_node("residual_basic", {"out_channels": 1}).id
    g.connect(src, block)
    project.input_shape = (1, 8, 8)
    edit = ReplaceGraph("Expand", build=lambda p: expand_node(p, block))
    round_trip(project, edit)
    edit.apply(project)
    assert edit.result and block not in g.nodes and set(edit.result) <= set(g.nodes)
    edit.revert(project)
    other = Graph()
    other.add_node("input")
    round_trip(project, ReplaceGraph("Import", graph=other))
    refused(
        project,
        ReplaceGraph("Expand", build=lambda p: expand_node(p, src)),
        GraphError,
        "primitive",
    )
    with pytest.raises(ValueError):
        ReplaceGraph("neither")


def test_group_is_all_or_nothing(lenet):
    g = lenet.graph
    conv1 = g.by_name("conv1").id
    round_trip(lenet, EditGroup([Rename(conv1, "a"), MoveNodes({conv1: (9, 9)})], "Two"))
    refused(
        lenet,
        EditGroup([Rename(conv1, "b"), SetParams([conv1], {"stride": -1})], "Two"),
        ParamError,
        "stride",
    )


def test_project_events_are_typed_and_cover_project_level_changes(lenet):
    events: list[ProjectEvent] = []
    lenet.subscribe(events.append)
    SetInputShape((1, 32, 32)).apply(lenet)
    SetSection("data", {"source": "mnist"}, "source").apply(lenet)
    AddNodes([{"block": "relu"}]).apply(lenet)
    ReplaceGraph("copy", graph=lenet.graph).apply(lenet)
    assert [type(e) for e in events] == [InputShapeChanged, SectionChanged, NodeAdded, GraphReset]
    assert events[1] == SectionChanged("data")
    lenet.unsubscribe(events.append)
    Connect(lenet.graph.by_name("fc2").id, lenet.graph.by_name("relu1").id).apply(lenet)
    assert not any(isinstance(e, EdgeAdded) for e in events)


def test_replacing_the_graph_never_hands_out_an_id_twice(lenet):
    edit = AddNodes([{"block": "relu"}])
    edit.apply(lenet)
    used = set(lenet.graph.nodes)
    ReplaceGraph("old", graph=load_project(TEMPLATES / "lenet5.json").graph).apply(lenet)
    assert lenet.graph.add_node("relu").id not in used
