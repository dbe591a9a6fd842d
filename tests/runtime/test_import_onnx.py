"""Importing ONNX files: operators to blocks, initializers to weights, round trips through ONNX
export."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from runtime.cli import main
from runtime.compile import build_model
from runtime.onnx_export import OnnxExportError, export_onnx
from runtime.importing.errors import ModelImportError
from runtime.importing.onnx_import import import_onnx
from runtime.project import load_project
from runtime.zoo import TEMPLATES

QUICK = ("lenet5", "resnet18", "squeezenet1_1", "shufflenet_v2_x1_0", "resnet20_cifar")
"""Templates round-tripped in every run; CONVSTUDIO_ALL_TEMPLATES=1 round-trips all of them."""
ALL = os.environ.get("CONVSTUDIO_ALL_TEMPLATES") == "1"
OUTSIDE = {
    "resnet20_cifar": "Slice",
    "fcn32s": "Slice",
    "alexnet": "GatherND",
    "zfnet": "GatherND",
    "airbench94": "Erf",
    "alexnet_caffe": "Pow",
}
"""Templates whose ONNX form (as torch's exporter writes it) needs an operator outside the
importer's list, and that operator: strided slices (zero-padding shortcut, crop); the gather form of
adaptive pooling to a larger map; exact GELU written as Erf; LRN written as Pow/Div."""


def _onnx_output(path: Path, x: torch.Tensor) -> torch.Tensor:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {session.get_inputs()[0].name: x.numpy()})[0])


def _imported_output(path: Path, x: torch.Tensor) -> torch.Tensor:
    result = import_onnx(path)
    model = build_model(result.project).eval()
    model.load_state_dict(result.state_dict, strict=False)
    assert set(result.state_dict) >= {
        k for k in model.state_dict() if not k.endswith("num_batches_tracked")
    }
    with torch.no_grad():
        return model(x)


@pytest.mark.parametrize("name", sorted(TEMPLATES) if ALL else QUICK)
def test_template_round_trip_through_onnx(name: str, tmp_path: Path) -> None:
    template = TEMPLATES[name]
    project = template.build()
    if template.test_input:
        project.input_shape = template.test_input
    try:
        path = export_onnx(project, tmp_path / f"{name}.onnx")
    except OnnxExportError as exc:
        pytest.skip(f"ONNX export does not support {name}: {exc}")
    x = torch.randn(2, *project.input_shape)
    with torch.no_grad():
        original = build_model(project).eval()(x)
    try:
        imported = _imported_output(path, x)
    except ModelImportError as exc:
        assert name in OUTSIDE and f"{OUTSIDE[name]} ×" in str(exc), str(exc)
        return
    assert name not in OUTSIDE
    assert torch.allclose(imported, original, rtol=1e-4, atol=1e-4)


class _Mixed(nn.Module):
    """Operators the TorchScript exporter writes one-to-one (BatchNormalization unfused, Resize,
    Softmax…)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pad = nn.ZeroPad2d(1)
        self.gate = nn.Hardsigmoid()
        self.up = nn.Upsample(scale_factor=2)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8, 5)
        self.fc2 = nn.Linear(5, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pad(self.bn(F.relu(self.conv(x))))
        x = x * self.gate(x) * 0.5
        x = F.relu6(F.hardswish(self.pool(self.up(x))))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return torch.softmax(self.fc2(torch.tanh(self.fc(x))), dim=1)


def test_torchscript_export_with_many_operators(tmp_path: Path) -> None:
    model = _Mixed().eval()
    with torch.no_grad():
        model.bn.running_mean.uniform_()
        model.bn.running_var.uniform_(0.5, 2.0)
    path = tmp_path / "mixed.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.randn(1, 3, 16, 16),),
            str(path),
            dynamo=False,
            input_names=["image"],
            dynamic_axes={"image": {0: "batch"}},
        )
    x = torch.randn(3, 3, 16, 16)
    with torch.no_grad():
        assert torch.allclose(_imported_output(path, x), model(x), atol=1e-5)
    blocks = [n.block for n in import_onnx(path).project.graph.nodes.values()]
    assert {
        "batch_norm",
        "zero_pad",
        "relu6",
        "hardswish",
        "scale",
        "multiply",
        "global_avg_pool",
    } <= set(blocks)


def _init(name: str, value: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(value.astype(np.float32), name)


def test_hand_written_graph_lrn_concat_matmul_add(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    nodes = [
        helper.make_node("Conv", ["x", "c.weight"], ["a"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("LeakyRelu", ["a"], ["b"], alpha=0.2),
        helper.make_node("LRN", ["b"], ["c"], size=3, alpha=1e-3, beta=0.75, bias=2.0),
        helper.make_node("Sigmoid", ["c"], ["d"]),
        helper.make_node("Concat", ["c", "d"], ["e"], axis=1),
        helper.make_node("AveragePool", ["e"], ["f"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["f"], ["g"], axis=1),
        helper.make_node("MatMul", ["g", "fc.weight"], ["h"]),
        helper.make_node("Add", ["h", "fc.bias"], ["y"]),
    ]
    inits = [
        _init("c.weight", rng.standard_normal((4, 2, 3, 3))),
        _init("fc.weight", rng.standard_normal((128, 6))),
        _init("fc.bias", rng.standard_normal(6)),
    ]
    graph = helper.make_graph(
        nodes,
        "handmade",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 6])],
        inits,
    )
    path = tmp_path / "handmade.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    x = torch.randn(2, 2, 8, 8)
    assert torch.allclose(_imported_output(path, x), _onnx_output(path, x), atol=1e-5)
    project = import_onnx(path).project
    assert project.graph.by_name("fc").block == "output" and project.input_shape == (2, 8, 8)


def test_unsupported_operators_are_listed_by_name_and_count(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("Sin", ["x"], ["a"]),
        helper.make_node("Relu", ["a"], ["b"]),
        helper.make_node("Sin", ["b"], ["c"]),
        helper.make_node("Erf", ["c"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "odd",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])],
    )
    path = tmp_path / "odd.onnx"
    onnx.save(helper.make_model(graph), str(path))
    with pytest.raises(ModelImportError) as info:
        import_onnx(path)
    message = str(info.value)
    assert message == f"{path}: 3 operators have no block in ConvStudio: Erf ×1, Sin ×2"


def test_cli_imports_onnx_with_weights(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    project = TEMPLATES["lenet5"].build()
    path = export_onnx(project, tmp_path / "lenet.onnx")
    out = tmp_path / "lenet.json"
    assert main(["import", str(path), "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    x = torch.randn(2, *project.input_shape)
    with torch.no_grad():
        assert torch.allclose(
            build_model(load_project(out)).eval()(x), build_model(project).eval()(x), atol=1e-5
        )
    assert main(["import", str(tmp_path / "missing.onnx"), "-o", str(out)]) == 1
    assert "missing.onnx: does not exist" in capsys.readouterr().err
