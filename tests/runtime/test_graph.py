"""Graph model: ids, ports, validation and typed errors."""

import pytest

from runtime.errors import CycleError, GraphError, ParamError, PortError, UnknownBlockError
from runtime.graph import Edge, Graph, chain
from runtime.project_events import EdgeRemoved, NodeRemoved


def test_chain_and_topological_order():
    g = Graph()
    ids = chain(g, [("input", {}), ("conv2d", {}), ("relu", {}), ("output", {})])
    assert g.topological_order() == ids
    assert [n.name for n in g.nodes.values()] == ["input_image", "conv1", "relu1", "head1"]


def test_cycle_is_refused_with_typed_error_naming_node():
    g = Graph()
    a, b, c = chain(g, [("conv2d", {}), ("relu", {}), ("add", {})])
    with pytest.raises(CycleError) as info:
        g.connect(c, a)
    assert info.value.node_id == a
    assert "cycle" in str(info.value)
    assert len(g.edges) == 2


def test_self_loop_refused():
    g = Graph()
    a = g.add_node("add").id
    with pytest.raises(PortError, match="cannot feed itself"):
        g.connect(a, a)


def test_single_input_port_taken():
    g = Graph()
    a, b, c = (g.add_node(k).id for k in ("input", "input", "relu"))
    g.connect(a, c)
    with pytest.raises(PortError, match="already connected"):
        g.connect(b, c)


def test_input_block_has_no_input_port():
    g = Graph()
    a, b = g.add_node("relu").id, g.add_node("input").id
    with pytest.raises(PortError, match="no input port"):
        g.connect(a, b)


def test_variadic_merge_ports_compact_on_disconnect():
    g = Graph()
    srcs = [g.add_node("relu").id for _ in range(3)]
    merge = g.add_node("concat").id
    for s in srcs:
        g.connect(s, merge)
    assert [e.port for e in g.inputs_of(merge)] == [0, 1, 2]
    g.disconnect(Edge(srcs[0], merge, 0))
    assert g.inputs_of(merge) == [Edge(srcs[1], merge, 0), Edge(srcs[2], merge, 1)]
    g.connect(srcs[0], merge, 0)
    assert [e.src for e in g.inputs_of(merge)] == [srcs[0], srcs[1], srcs[2]]


def test_merge_port_gap_refused():
    g = Graph()
    a, m = g.add_node("relu").id, g.add_node("add").id
    with pytest.raises(PortError, match="next free input is port 0"):
        g.connect(a, m, 3)


def test_bad_param_value_is_refused_and_not_applied():
    g = Graph()
    n = g.add_node("conv2d", {"out_channels": 8})
    with pytest.raises(ParamError) as info:
        g.set_params(n.id, {"out_channels": 0, "kernel_size": 5})
    assert info.value.param == "out_channels" and info.value.node_id == n.id
    assert "at least 1" in str(info.value) and "conv1" in str(info.value)
    assert n.params["out_channels"] == 8 and n.params["kernel_size"] == 3


@pytest.mark.parametrize("value", ["3", 2.5, True, None, float("nan"), [3]])
def test_param_type_errors(value):
    g = Graph()
    with pytest.raises(ParamError):
        g.add_node("conv2d", {"kernel_size": value})


def test_unknown_param_name_refused():
    g = Graph()
    with pytest.raises(ParamError, match="no parameter 'kernal_size'"):
        g.add_node("conv2d", {"kernal_size": 3})


def test_unknown_block():
    g = Graph()
    with pytest.raises(UnknownBlockError, match="unknown block type 'conv9d'"):
        g.add_node("conv9d")


@pytest.mark.parametrize("name", ["1conv", "class", "forward", "with space", "", "x", "a" * 70])
def test_bad_names_refused(name):
    g = Graph()
    with pytest.raises(ParamError):
        g.add_node("relu", name=name)


def test_duplicate_name_refused_on_rename():
    g = Graph()
    a, b = g.add_node("relu"), g.add_node("relu")
    with pytest.raises(ParamError, match="already called"):
        g.rename(b.id, a.name)


def test_remove_node_returns_edges_and_events_fire_in_order():
    g = Graph()
    events = []
    g.subscribe(lambda e: events.append(type(e)))
    a, b, c = chain(g, [("input", {}), ("relu", {}), ("output", {})])
    removed = g.remove_node(b)
    assert set(removed) == {Edge(a, b, 0), Edge(b, c, 0)}
    assert events[-3:] == [EdgeRemoved, EdgeRemoved, NodeRemoved]
    assert g.edges == []


def test_unknown_node_id():
    with pytest.raises(GraphError, match="no node with id 'n99'"):
        Graph().node("n99")


def test_copy_is_independent():
    g = Graph()
    ids = chain(g, [("input", {}), ("relu", {})])
    h = g.copy()
    h.remove_node(ids[1])
    assert len(g.nodes) == 2 and len(h.nodes) == 1
    assert h.add_node("relu").id != ids[0]


def test_clear_never_hands_out_an_id_again():
    g = Graph()
    used = {g.add_node("relu").id for _ in range(3)}
    g.clear()
    assert g.add_node("relu").id not in used
