"""Analysis agrees with torch and explains every broken node."""

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from runtime import analyze, build_model, load_project
from runtime.graph import Graph, chain
from runtime.project import Project
from tests.runtime.random_graphs import random_project
from tests.runtime.test_project_file import LENET


def _torch_figures(project):
    model = build_model(project).eval()
    x = torch.randn(1, *project.input_shape)
    with FlopCounterMode(display=False) as counter:
        out = model(x)
    return model, out, counter.get_total_flops() // 2


@pytest.mark.parametrize("seed", range(12))
def test_random_graph_figures_match_torch(seed):
    project = random_project(seed)
    analysis = analyze(project)
    assert analysis.ok, analysis.problems
    model, out, macs = _torch_figures(project)
    assert analysis.params == sum(p.numel() for p in model.parameters())
    assert abs(analysis.macs - macs) <= 0.01 * max(macs, 1)
    assert analysis.nodes[analysis.output_id].out_shape == tuple(out.shape[1:])
    for name, value in model.layer_outputs(
        torch.randn(1, *project.input_shape), set(model._modules)
    ).items():
        assert analysis.nodes[project.graph.by_name(name).id].out_shape == tuple(value.shape[1:])


def test_lenet_figures():
    a = analyze(load_project(LENET), batch_size=64)
    assert a.params == 61_706
    assert a.macs == 416_520 and a.flops == 833_040
    conv2 = a.nodes[load_project(LENET).graph.by_name("conv2").id]
    assert conv2.out_shape == (16, 10, 10) and conv2.rf == 14 and conv2.jump == 2
    assert a.activation_bytes == a.activations * 64 * 4


def test_receptive_field_of_stacked_3x3_convs():
    g = Graph()
    ids = chain(
        g,
        [
            ("input", {}),
            ("conv2d", {}),
            ("conv2d", {}),
            ("conv2d", {}),
            ("max_pool", {}),
            ("conv2d", {}),
            ("output", {}),
        ],
    )
    a = analyze(Project(g, (3, 32, 32)))
    assert [a.nodes[i].rf for i in ids[1:6]] == [3, 5, 7, 8, 12]
    assert a.nodes[ids[5]].jump == 2


def _residual_mismatch():
    g = Graph()
    inp = g.add_node("input").id
    c1 = g.add_node("conv2d", {"out_channels": 64}, name="stem").id
    c2 = g.add_node("conv2d", {"out_channels": 128, "stride": 2}, name="down").id
    add = g.add_node("add", name="res2").id
    after = g.add_node("relu").id
    head = g.add_node("output").id
    for a, b in [(inp, c1), (c1, c2), (c2, add), (c1, add), (add, after), (after, head)]:
        g.connect(a, b)
    return Project(g, (3, 32, 32)), add, after


def test_add_mismatch_message_suggests_projection():
    project, add, after = _residual_mismatch()
    a = analyze(project)
    [problem] = a.problems
    assert problem.node_id == add
    assert problem.message.startswith("Add 'res2' gets 128×16×16 and 64×32×32")
    assert "1×1 conv with stride 2" in problem.message
    assert add not in a.nodes and after not in a.nodes
    assert a.nodes[project.graph.by_name("down").id].out_shape == (128, 16, 16)


def test_one_error_per_broken_node_and_valid_figures_kept():
    g = Graph()
    inp = g.add_node("input").id
    ok = g.add_node("conv2d", {"out_channels": 8}).id
    big = g.add_node("conv2d", {"kernel_size": 9, "padding": 0}).id
    lonely = g.add_node("relu").id
    flat = g.add_node("linear").id
    g.connect(inp, ok)
    g.connect(ok, big)
    g.connect(ok, flat)
    a = analyze(Project(g, (3, 6, 6)))
    by_node = {p.node_id: p.message for p in a.problems}
    assert ok in a.nodes
    assert "smaller than its 9×9 kernel" in by_node[big]
    assert "needs an input but has none" in by_node[lonely]
    assert "add a Flatten" in by_node[flat]
    assert by_node[None].startswith("the network has no Output node")


def test_group_and_same_padding_messages():
    g = Graph()
    inp = g.add_node("input").id
    a = g.add_node("conv2d", {"groups": 4, "out_channels": 8}).id
    b = g.add_node("conv2d", {"kernel_size": 4}).id
    g.connect(inp, a)
    g.connect(inp, b)
    problems = {p.node_id: p.message for p in analyze(Project(g, (3, 8, 8))).problems}
    assert "3 input channels, not divisible by groups=4" in problems[a]
    assert "'same' padding needs an odd kernel" in problems[b]


def test_input_size_override_adapts_in_features():
    project = load_project(LENET)
    a = analyze(project, batch_size=10, input_shape=(1, 32, 32))
    fc1 = a.nodes[project.graph.by_name("fc1").id]
    assert a.ok and a.input_shape == (1, 32, 32)
    assert fc1.params == 16 * 6 * 6 * 120 + 120
