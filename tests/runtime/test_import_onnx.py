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

QUICK = (
    "lenet5",
    "resnet18",
    "squeezenet1_1",
    "shufflenet_v2_x1_0",
    "resnet20_cifar",
    "fcn32s",
    "alexnet",
    "airbench94",
    "alexnet_caffe",
)
"""Templates round-tripped in every run (among them those whose ONNX form needs runs of operators:
strided slices, crops, gathered adaptive pooling, Erf GELU, Pow/Div LRN);
CONVSTUDIO_ALL_TEMPLATES=1 round-trips all of them."""
ALL = os.environ.get("CONVSTUDIO_ALL_TEMPLATES") == "1"


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
    imported = _imported_output(path, x)
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
        helper.make_node("Cos", ["c"], ["y"]),
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
    assert message == f"{path}: 3 operators have no block in ConvStudio: Cos ×1, Sin ×2"


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


def _one_input_model(nodes, inits, path: Path, out_shape) -> Path:
    graph = helper.make_graph(
        nodes,
        "runs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", *out_shape])],
        inits,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    return path


def _ints(name: str, values: list[int]) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def test_runs_that_stop_part_way_become_the_blocks_they_already_are(tmp_path: Path) -> None:
    """x·x alone is a multiply and x/√2 alone a scale, not the start of an LRN or a GELU; a
    centred crop finds a feature map of its size to crop to."""
    nodes = [
        helper.make_node("Mul", ["x", "x"], ["sq"]),
        helper.make_node("Div", ["sq", "root2"], ["half"]),
        helper.make_node("Relu", ["half"], ["r"]),
        helper.make_node("Pad", ["x", "pads"], ["big"]),
        helper.make_node("Slice", ["big", "s", "e", "ax"], ["crop"]),
        helper.make_node("Add", ["r", "crop"], ["y"]),
    ]
    inits = [
        _init("root2", np.array(np.sqrt(2.0))),
        _ints("pads", [0, 0, 2, 2, 0, 0, 2, 2]),
        _ints("s", [2, 2]),
        _ints("e", [10, 10]),
        _ints("ax", [2, 3]),
    ]
    path = _one_input_model(nodes, inits, tmp_path / "runs.onnx", [2, 8, 8])
    result = import_onnx(path)
    blocks = sorted(n.block for n in result.project.graph.nodes.values())
    assert blocks == ["add", "crop", "input", "multiply", "output", "relu", "scale", "zero_pad"]
    x = torch.randn(3, 2, 8, 8)
    model = build_model(result.project).eval()
    with torch.no_grad():
        assert torch.allclose(model(x), _onnx_output(path, x), atol=1e-5)


def test_runs_with_no_block_are_one_line(tmp_path: Path) -> None:
    strided = [
        helper.make_node("Slice", ["x", "s", "e", "ax", "st"], ["a"]),
        helper.make_node("Relu", ["a"], ["y"]),
    ]
    inits = [_ints("s", [0]), _ints("e", [8]), _ints("ax", [2]), _ints("st", [2])]
    path = _one_input_model(strided, inits, tmp_path / "strided.onnx", [2, 4, 8])
    with pytest.raises(ModelImportError) as info:
        import_onnx(path)
    assert str(info.value) == (
        f"{path}: Slice node 'a': a strided slice has no block outside a zero-pad shortcut"
    )
    erf = [
        helper.make_node("Div", ["x", "root2"], ["a"]),
        helper.make_node("Erf", ["a"], ["b"]),
        helper.make_node("Relu", ["b"], ["y"]),
    ]
    path = _one_input_model(
        erf, [_init("root2", np.array(np.sqrt(2.0)))], tmp_path / "erf.onnx", [2, 8, 8]
    )
    with pytest.raises(ModelImportError, match="Erf node 'b': begins a run of operators that is"):
        import_onnx(path)
