"""Expanding a composite node into primitives: same parameters, same outputs with carried weights,
wires and merge ports kept, unique names, clear refusals."""

from __future__ import annotations

import pytest
import torch

from blocks import all_specs
from runtime.analysis import analyze
from runtime.compile import build_model
from runtime.errors import GraphError
from runtime.expand import expand, expand_node, expand_state_dict
from runtime.graph import Graph
from runtime.project import Project
from tests.runtime.user_block_helpers import randomize

COMPOSITES = [s.id for s in all_specs() if s.composite]
VARIANTS = [(block, {}) for block in COMPOSITES] + [
    (
        "residual_basic",
        {"stride": 2, "out_channels": 32, "se_reduction": 4, "stochastic_depth": 0.2},
    ),
    ("bottleneck", {"planes": 8, "stride": 2, "se_reduction": 8, "stochastic_depth": 0.1}),
    ("resnext", {"planes": 16, "groups": 4}),
    ("preact_residual", {"out_channels": 32, "stride": 2, "stochastic_depth": 0.1}),
    ("wide_residual", {"out_channels": 16, "dropout": 0.0}),
    ("dense_block", {"num_layers": 3, "growth_rate": 8, "drop_rate": 0.2}),
    ("inception", {"big_kernel": 3}),
    ("inverted_residual", {"out_channels": 16, "expand_ratio": 1}),
    ("mbconv", {"out_channels": 16, "stochastic_depth": 0.2, "kernel_size": 5}),
    ("mbconv", {"out_channels": 24, "stride": 2, "se_ratio": 0.0}),
    ("shufflenet_unit", {"out_channels": 32, "stride": 2}),
]
SHAPES = {"shufflenet_unit": (116, 8, 8)}


def project_with(block: str, params: dict) -> tuple[Project, str]:
    """Input → composite → Output (pass-through)."""
    shape = SHAPES.get(block, (16, 8, 8)) if params.get("stride", 1) == 1 else (16, 8, 8)
    graph = Graph()
    src = graph.add_node("input").id
    node = graph.add_node(block, params)
    graph.connect(src, node.id)
    graph.connect(node.id, graph.add_node("output", {"num_classes": 0}).id)
    return Project(graph, shape), node.id


def _case_id(value) -> str:
    return value if isinstance(value, str) else "-".join(map(str, value.values())) or "defaults"


@pytest.mark.parametrize("block, params", VARIANTS, ids=_case_id)
def test_expansion_keeps_parameters_and_outputs(block, params):
    project, node_id = project_with(block, params)
    before = analyze(project)
    model = build_model(project).eval()
    randomize(model)
    x = torch.randn(2, *project.input_shape, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = model(x)
    result = expand(project, node_id)
    assert node_id not in project.graph.nodes
    assert all(project.graph.nodes[n].spec.composite is False for n in result.new_ids)
    after = analyze(project)
    assert after.ok, [p.message for p in after.problems]
    assert (after.params, after.buffers, after.macs) == (before.params, before.buffers, before.macs)
    out_node = next(n for n in project.graph.nodes.values() if n.block == "output")
    assert after.nodes[out_node.id].rf == before.nodes[out_node.id].rf
    expanded = build_model(project).eval()
    expanded.load_state_dict(expand_state_dict(model.state_dict(), result), strict=True)
    with torch.no_grad():
        assert (expanded(x) - expected).abs().max().item() <= 1e-5


def test_wires_ports_names_and_positions():
    graph = Graph()
    src = graph.add_node("input").id
    stem = graph.add_node("conv2d", {"out_channels": 64}, pos=(0, 0)).id
    res = graph.add_node("residual_basic", pos=(0, 300), name="res").id
    taken = graph.add_node("relu", name="res_conv1").id
    merge = graph.add_node("add").id
    graph.connect(src, stem)
    graph.connect(stem, res)
    graph.connect(stem, taken)
    graph.connect(taken, merge)
    graph.connect(res, merge)
    graph.connect(stem, merge)
    graph.connect(merge, graph.add_node("output", {"num_classes": 0}).id)
    project = Project(graph, (3, 8, 8))
    new_ids = expand_node(project, res)
    names = [graph.nodes[n].name for n in new_ids]
    assert len(set(graph.names())) == len(graph.nodes)
    assert "res_conv1_2" in names and "res_add" in names and "res_relu" in names
    assert [graph.nodes[e.src].name for e in graph.inputs_of(merge)] == [
        "res_conv1",
        "res_relu",
        "conv1",
    ]
    assert {graph.nodes[e.dst].name for e in graph.consumers(stem)} >= {
        "res_conv1_2",
        "res_add",
        "res_conv1",
    }
    ys = [graph.nodes[n].pos[1] for n in new_ids]
    assert min(ys) < 300 < max(ys) and len({graph.nodes[n].pos for n in new_ids}) == len(new_ids)
    assert analyze(project).ok


def test_refusals_name_the_node():
    graph = Graph()
    src = graph.add_node("input").id
    conv = graph.add_node("conv2d", name="plain").id
    graph.connect(src, conv)
    lonely = graph.add_node("bottleneck", name="lonely").id
    project = Project(graph, (3, 8, 8))
    with pytest.raises(GraphError, match="'plain'.*primitive") as info:
        expand_node(project, conv)
    assert info.value.node_id == conv
    with pytest.raises(GraphError, match="'lonely'") as info:
        expand_node(project, lonely)
    assert info.value.node_id == lonely and lonely in graph.nodes
    broken = graph.add_node("shufflenet_unit", name="broken").id
    graph.connect(src, broken)
    with pytest.raises(GraphError, match="set out_channels to 3"):
        expand_node(project, broken)
    assert broken in graph.nodes and len(graph.nodes) == 4
