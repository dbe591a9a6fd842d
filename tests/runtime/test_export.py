"""Exported Python equals the compiled module; ONNX equals torch; compile is deterministic."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from runtime import build_model, export_onnx, export_python, load_project, python_source
from runtime.errors import InvalidGraphError
from runtime.graph import Graph, chain
from runtime.project import Project
from tests.runtime.random_graphs import random_project
from tests.runtime.test_project_file import LENET


def exported_model(project):
    """Instantiate the class defined by the exported source (our own generated code)."""
    from runtime.python_export import class_name

    namespace: dict = {"__name__": "exported"}
    exec(compile(python_source(project), "<exported>", "exec"), namespace)
    return namespace[class_name(project)]()


@pytest.mark.parametrize("seed", range(25))
def test_random_graph_export_equals_compile(seed):
    project = random_project(seed)
    compiled = build_model(project).eval()
    exported = exported_model(project).eval()
    exported.load_state_dict(compiled.state_dict())
    assert list(exported.state_dict()) == list(compiled.state_dict())
    x = torch.randn(3, *project.input_shape)
    assert (exported(x) - compiled(x)).abs().max().item() <= 1e-5


def test_state_dict_keys_follow_node_names_and_seed_is_deterministic():
    project = load_project(LENET)
    a, b, c = (
        build_model(project, seed=1),
        build_model(project, seed=1),
        build_model(project, seed=2),
    )
    assert list(a.state_dict())[:2] == ["conv1.weight", "conv1.bias"]
    assert all(torch.equal(a.state_dict()[k], b.state_dict()[k]) for k in a.state_dict())
    assert not torch.equal(a.conv1.weight, c.conv1.weight)


def test_exported_file_runs_alone(tmp_path):
    import subprocess
    import sys

    out = export_python(load_project(LENET), tmp_path / "lenet.py")
    text = out.read_text()
    assert (
        "class LeNet5(nn.Module):" in text
        and "self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)" in text
    )
    assert "import runtime" not in text and "blocks" not in text
    result = subprocess.run(
        [sys.executable, str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "torch.Size([1, 10])" in result.stdout


def test_branching_forward_reads_top_to_bottom():
    g = Graph()
    inp, conv = chain(g, [("input", {}), ("conv2d", {"out_channels": 3})])
    add = g.add_node("add").id
    g.connect(conv, add)
    g.connect(inp, add)
    head = g.add_node("output").id
    g.connect(add, head)
    source = python_source(Project(g, (3, 8, 8), "Tiny residual"))
    assert "conv1 = self.conv1(x)" in source
    assert "x = self.add1(conv1, x)" in source
    assert "class Add(nn.Module):" in source


def test_invalid_graph_cannot_compile():
    g = Graph()
    chain(g, [("input", {}), ("linear", {})])
    with pytest.raises(InvalidGraphError, match="no Output node|add a Flatten"):
        build_model(Project(g, (1, 8, 8)))


def test_onnx_export_dynamic_batch_matches_torch(tmp_path):
    project = random_project(3)
    path = export_onnx(project, tmp_path / "net.onnx")
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    batch_dim = model.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch_dim.dim_param
    session = ort.InferenceSession(str(path))
    compiled = build_model(project).eval()
    for batch in (1, 7):
        x = torch.randn(batch, *project.input_shape)
        got = session.run(None, {session.get_inputs()[0].name: x.numpy()})[0]
        assert np.abs(got - compiled(x).detach().numpy()).max() <= 1e-4
