"""What every part of the ONNX importer shares: the operators it knows, constant folding, and the
records of mapped blocks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from runtime.importing.errors import ModelImportError

SUPPORTED = {
    "Conv",
    "ConvTranspose",
    "BatchNormalization",
    "Relu",
    "LeakyRelu",
    "Sigmoid",
    "Tanh",
    "Clip",
    "HardSwish",
    "HardSigmoid",
    "Mul",
    "Add",
    "Concat",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
    "GlobalMaxPool",
    "Gemm",
    "MatMul",
    "Flatten",
    "Reshape",
    "Dropout",
    "LRN",
    "Pad",
    "Resize",
    "Upsample",
    "Softmax",
    "Identity",
    "Constant",
    "ReduceMean",
    "Transpose",
    "Split",
    "Elu",
    "Gelu",
    "PRelu",
    "Div",
    "Erf",
    "Pow",
    "Squeeze",
    "Slice",
    "GatherND",
}
"""Operators the importer understands. Transpose, Split, Erf, Pow, Squeeze, Slice and GatherND only
within the runs of operators onnx_patterns and onnx_sequences recognise; Div by a constant."""


@dataclass(frozen=True)
class T:
    """A feature map: the key of the block that produces it."""

    key: str


@dataclass
class Node:
    """One block of the imported graph: its catalogue id, parameters, inputs and weights."""

    key: str
    block: str
    params: dict[str, Any]
    inputs: list[str]
    tensors: dict[str, np.ndarray]
    name_hint: str


def fold_constants(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """Every tensor computable without the input image (initializers, Constant nodes and the
    operators that only combine them, as exporters emit for shapes and paddings), evaluated
    once."""
    from onnx.reference import ReferenceEvaluator

    consts = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    for node in model.graph.node:
        if not all(name in consts for name in node.input if name) or node.op_type in (
            "If",
            "Loop",
            "Scan",
        ):
            continue
        try:
            outputs = ReferenceEvaluator(node).run(None, {n: consts[n] for n in node.input if n})
        except Exception:  # noqa: BLE001 - foreign code or file: any failure becomes one typed line
            continue
        consts.update({name: np.asarray(value) for name, value in zip(node.output, outputs)})
    return consts


def check_operators(model: onnx.ModelProto, path: Path, consts: dict[str, np.ndarray]) -> None:
    """One error listing every operator with no block, by name and count."""
    unknown = Counter(
        n.op_type
        for n in model.graph.node
        if n.op_type not in SUPPORTED and not all(o in consts for o in n.output)
    )
    if unknown:
        listed = ", ".join(f"{op} ×{count}" for op, count in sorted(unknown.items()))
        raise ModelImportError(
            str(path), f"{sum(unknown.values())} operators have no block in ConvStudio: {listed}"
        )


def weight_prefix(weight_name: str) -> str:
    """'layer1_0.conv1.weight' → 'layer1_0.conv1': the layer a weight initializer belongs to."""
    return weight_name.rpartition(".")[0] if "." in weight_name else ""


def name_hint(node: onnx.NodeProto) -> str:
    """The ONNX node's name, else its first output's."""
    return node.name or node.output[0]
