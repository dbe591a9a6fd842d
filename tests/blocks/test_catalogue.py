"""Every registered block, with default parameters, in a tiny Input → block → Output graph:
inferred shape, parameters and multiply-adds agree with torch; export and save/load round-trip."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from blocks import all_specs
from runtime.analysis import analyze
from runtime.compile import build_model
from runtime.python_export import class_name, python_source
from runtime.graph import Graph
from runtime.project import Project, load_project

DEFAULT_INPUT = (3, 32, 32)
INPUTS = {  # blocks whose defaults cannot take 3 channels
    "grouped_conv": (8, 16, 16),
    "group_conv_shuffle": (8, 16, 16),
    "group_norm": (64, 8, 8),
    "channel_shuffle": (8, 16, 16),
    "channel_split": (8, 16, 16),
    "shufflenet_unit": (116, 8, 8),
    "squeeze_excitation": (64, 8, 8),
}
VECTOR_BLOCKS = {"linear", "weight_norm_linear"}  # fed through a Flatten
SPECS = [s for s in all_specs() if s.id != "input"]  # the Input block is part of every graph below


def tiny_project(block: str) -> tuple[Project, str]:
    """Input → [Flatten] → block (fed twice if it merges) → Output passing the tensor through."""
    shape = (16, 2, 2) if block in VECTOR_BLOCKS else INPUTS.get(block, DEFAULT_INPUT)
    graph = Graph()
    src = graph.add_node("input").id
    if block in VECTOR_BLOCKS:
        src = graph.add_node("flatten").id
        graph.connect("n1", src)
    if block == "output":
        node = graph.add_node("output")
        graph.connect(src, node.id)
        return Project(graph, shape, name="Tiny output"), node.id
    node = graph.add_node(block)
    for port in range(max(1, node.spec.min_inputs)):
        graph.connect(src, node.id, port)
    graph.connect(node.id, graph.add_node("output", {"num_classes": 0}).id)
    return Project(graph, shape, name=f"Tiny {block}"), node.id


@pytest.fixture(params=SPECS, ids=lambda s: s.id)
def case(request):
    project, node_id = tiny_project(request.param.id)
    analysis = analyze(project, batch_size=2)
    assert analysis.ok, [p.message for p in analysis.problems]
    model = build_model(project, seed=0).eval()
    x = torch.randn(2, *project.input_shape, generator=torch.Generator().manual_seed(0))
    return project, node_id, analysis, model, x


def test_shape_and_parameters_match_torch(case):
    project, node_id, analysis, model, x = case
    name = project.graph.nodes[node_id].name
    with torch.no_grad():
        out = model.layer_outputs(x, {name})[name]
    figures = analysis.nodes[node_id]
    assert tuple(out.shape[1:]) == figures.out_shape
    module = model.get_submodule(name)
    assert figures.params == sum(p.numel() for p in module.parameters() if p.requires_grad)
    assert figures.buffers == sum(b.numel() for b in module.buffers())


def test_macs_match_flop_counter(case):
    project, node_id, analysis, model, x = case
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(x[:1])
    torch_macs = counter.get_total_flops() / 2
    assert analysis.macs == pytest.approx(torch_macs, rel=0.01, abs=0)


def test_exported_code_loads_weights_and_gives_same_output(case):
    project, node_id, analysis, model, x = case
    namespace = {"__name__": "exported"}
    exec(compile(python_source(project), "<exported>", "exec"), namespace)
    exported = namespace[class_name(project)]()
    exported.load_state_dict(model.state_dict())
    exported.eval()
    with torch.no_grad():
        assert torch.allclose(exported(x), model(x), rtol=0, atol=1e-5)


def test_save_and_load_round_trip(case, tmp_path):
    project, node_id, analysis, model, x = case
    project.save(tmp_path / "tiny.json")
    loaded = load_project(tmp_path / "tiny.json")
    assert loaded.to_dict() == project.to_dict()
    assert analyze(loaded).params == analysis.params
