"""Import an ONNX file: common operators become blocks, initializers become the weights. Only
reads."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from runtime.graph import Graph
from runtime.importing.errors import ModelImportError
from runtime.importing.layout import layout_imported
from runtime.importing.pytorch import ImportResult
from runtime.naming import unique_identifier
from runtime.project import Project

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
}
"""Operators the importer understands (Transpose and Split only as channel shuffle and split)."""


@dataclass(frozen=True)
class _T:
    key: str


@dataclass(frozen=True)
class _Shuffle:
    src: str
    groups: int
    transposed: bool


@dataclass
class _Node:
    key: str
    block: str
    params: dict[str, Any]
    inputs: list[str]
    tensors: dict[str, np.ndarray]
    name_hint: str


def import_onnx(path: str | Path, input_shape: tuple[int, int, int] | None = None) -> ImportResult:
    """The project an ONNX file describes, with its initializers as weights."""
    path = Path(path)
    try:
        model = onnx.load(str(path))
    except FileNotFoundError:
        raise ModelImportError(str(path), "does not exist") from None
    except Exception as exc:  # noqa: BLE001 - foreign code or file: any failure becomes one typed line
        raise ModelImportError(
            str(path), f"is not a readable ONNX file: {type(exc).__name__}"
        ) from None
    consts = fold_constants(model)
    _check_operators(model, path, consts)
    return _Importer(model, path, input_shape, consts).run()


def fold_constants(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """Every tensor computable without the input image (initializers, Constant nodes and the
    operators that only combine them, as exporters emit for shapes and paddings), evaluated once."""
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


def _check_operators(model: onnx.ModelProto, path: Path, consts: dict[str, np.ndarray]) -> None:
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


class _Importer:
    """Walks the ONNX graph in order, mapping each operator (or pattern) to a block."""

    def __init__(
        self,
        model: onnx.ModelProto,
        path: Path,
        input_shape: tuple[int, int, int] | None,
        consts: dict[str, np.ndarray],
    ) -> None:
        self.model = model
        self.path = path
        self.consts = consts
        self.env: dict[str, Any] = {}
        self.nodes: dict[str, _Node] = {}
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.input_shape = input_shape or self._declared_input()
        self.producer: dict[str, int] = {}

    def _declared_input(self) -> tuple[int, int, int]:
        inputs = [
            i
            for i in self.model.graph.input
            if i.name not in {t.name for t in self.model.graph.initializer}
        ]
        if len(inputs) != 1:
            raise ModelImportError(
                str(self.path), f"has {len(inputs)} inputs; ConvStudio networks take one image"
            )
        dims = [
            d.dim_value if d.HasField("dim_value") else None
            for d in inputs[0].type.tensor_type.shape.dim
        ]
        if len(dims) != 4 or None in dims[1:]:
            raise ModelImportError(
                str(self.path), "the input is not N×C×H×W with known C, H and W: give --input"
            )
        return int(dims[1]), int(dims[2]), int(dims[3])

    def fail(self, node: onnx.NodeProto, why: str) -> ModelImportError:
        """One line naming the file, the operator and its node."""
        return ModelImportError(
            str(self.path), f"{node.op_type} node '{node.name or node.output[0]}': {why}"
        )

    # ----- shapes: run each new block through the project's analysis -----------------------
    def _shape(self, key: str) -> tuple[int, ...]:
        return self.shapes[key]

    def _add(
        self,
        onnx_node: onnx.NodeProto,
        block: str,
        params: dict[str, Any],
        inputs: list[str],
        tensors: dict[str, np.ndarray] | None = None,
        hint: str = "",
        out: str | None = None,
    ) -> _T:
        from blocks import get_spec
        from runtime.shape_probe import probe

        key = out or onnx_node.output[0]
        spec = get_spec(block)
        resolved = spec.resolve(params)
        in_shapes = [self.shapes[i] for i in inputs]
        message = spec.check(resolved, in_shapes) if spec.check else None
        if message:
            raise self.fail(onnx_node, message)
        self.shapes[key] = probe(spec.make(resolved, in_shapes), in_shapes).out_shape
        self.nodes[key] = _Node(
            key, block, resolved, inputs, tensors or {}, hint or _hint(onnx_node)
        )
        return _T(key)

    def const(self, name: str) -> np.ndarray | None:
        """The constant value of a tensor name (initializer or Constant output), else None."""
        if name in self.consts:
            return self.consts[name]
        value = self.env.get(name)
        return value if isinstance(value, np.ndarray) else None

    def tensor(self, name: str) -> str | None:
        """The block key producing a tensor name, else None."""
        value = self.env.get(name)
        return value.key if isinstance(value, _T) else None

    # ----- the walk -------------------------------------------------------------------------
    def run(self) -> ImportResult:
        """Map every operator, then build the project and its weights."""
        graph = self.model.graph
        initializers = {t.name for t in graph.initializer}
        source = next(i.name for i in graph.input if i.name not in initializers)
        self.nodes["__input__"] = _Node("__input__", "input", {}, [], {}, "input_image")
        self.shapes["__input__"] = tuple(self.input_shape)
        self.env[source] = _T("__input__")
        consumers = Counter(i for n in graph.node for i in n.input)
        for i, node in enumerate(graph.node):
            for out in node.output:
                self.producer[out] = i
        self.consumers = consumers
        for node in graph.node:
            if all(o in self.consts for o in node.output):
                continue
            result = self._map(node)
            if isinstance(result, list):
                for name, value in zip(node.output, result):
                    self.env[name] = value
            else:
                self.env[node.output[0]] = result
        if len(graph.output) != 1:
            raise ModelImportError(
                str(self.path), f"has {len(graph.output)} outputs; ConvStudio networks have one"
            )
        last = self.tensor(graph.output[0].name)
        if last is None:
            raise ModelImportError(
                str(self.path), "its output is not computed from the input image"
            )
        return self._project(last)

    def _attrs(self, node: onnx.NodeProto) -> dict[str, Any]:
        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    def _map(self, node: onnx.NodeProto) -> Any:
        op, a = node.op_type, self._attrs(node)
        ins = list(node.input)
        x = self.tensor(ins[0]) if ins and ins[0] else None
        if op == "Constant":
            return (
                numpy_helper.to_array(a["value"])
                if "value" in a
                else np.array(a.get("value_float", a.get("value_int", 0)))
            )
        if op == "Identity":
            return self.env.get(ins[0])
        if isinstance(self.env.get(ins[0]), _Shuffle):
            return self._shuffle(node, self.env[ins[0]], a)
        if x is None:
            if all(self.const(i) is not None for i in ins if i):
                raise self.fail(
                    node, "computes a constant; fold constants (onnx optimizer) before importing"
                )
            raise self.fail(node, "its first input is not a feature map")
        if op == "Conv":
            return self._conv(node, x, a, ins)
        if op == "ConvTranspose":
            return self._tconv(node, x, a, ins)
        if op == "BatchNormalization":
            scale, bias, mean, var = (self._weight(node, i) for i in ins[1:5])
            return self._add(
                node,
                "batch_norm",
                {
                    "eps": float(a.get("epsilon", 1e-5)),
                    "momentum": round(1 - float(a.get("momentum", 0.9)), 6),
                    "affine": True,
                },
                [x],
                {
                    "weight": scale,
                    "bias": bias,
                    "running_mean": mean,
                    "running_var": var,
                    "num_batches_tracked": np.array(0, dtype=np.int64),
                },
                _prefix(ins[1]),
            )
        simple = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "HardSwish": "hardswish"}
        if op in simple:
            return self._add(node, simple[op], {}, [x])
        if op == "LeakyRelu":
            return self._add(
                node, "leaky_relu", {"negative_slope": float(a.get("alpha", 0.01))}, [x]
            )
        if op == "Elu":
            return self._add(node, "elu", {"alpha": float(a.get("alpha", 1.0))}, [x])
        if op == "Gelu":
            return self._add(
                node, "gelu", {"approximate": a.get("approximate", b"none").decode()}, [x]
            )
        if op == "PRelu":
            slope = self._weight(node, ins[1]).reshape(-1)
            return self._add(
                node,
                "prelu",
                {"per_channel": slope.size > 1},
                [x],
                {"weight": slope},
                _prefix(ins[1]),
            )
        if op == "Clip":
            low, high = self._clip_bounds(node, a, ins)
            if low == 0 and high == 6:
                return self._add(node, "relu6", {}, [x])
            if low == 0 and high == math.inf:
                return self._add(node, "relu", {}, [x])
            raise self.fail(node, f"clips to [{low:g}, {high:g}]; only ReLU6 (0 to 6) has a block")
        if op == "HardSigmoid":
            if not (
                abs(a.get("alpha", 0.2) - 1 / 6) < 1e-6 and abs(a.get("beta", 0.5) - 0.5) < 1e-6
            ):
                raise self.fail(
                    node, "only the alpha 1/6, beta 0.5 form (torch's Hardsigmoid) is supported"
                )
            return self._torch_module(node, x, "Hardsigmoid", {})
        if op in ("Add", "Mul"):
            return self._arith(node, op, ins)
        if op == "Concat":
            parts = [self.tensor(i) for i in ins]
            if None in parts or a.get("axis") not in (
                1,
                -3 if len(self._shape(parts[0])) == 3 else 1,
            ):
                raise self.fail(
                    node, "only concatenation of feature maps along channels is supported"
                )
            return self._add(node, "concat", {}, parts)
        if op in ("MaxPool", "AveragePool"):
            return self._pool(node, x, op, a)
        if op in ("GlobalAveragePool", "GlobalMaxPool"):
            if op == "GlobalAveragePool":
                return self._add(node, "global_avg_pool", {}, [x])
            return self._add(
                node, "adaptive_max_pool", {"output_height": 1, "output_width": 1}, [x]
            )
        if op == "ReduceMean":
            return self._reduce_mean(node, x, a, ins)
        if op in ("Gemm", "MatMul"):
            return self._linear(node, x, op, a, ins)
        if op == "Flatten":
            if a.get("axis", 1) != 1:
                raise self.fail(node, "only Flatten with axis 1 is supported")
            return self._add(node, "flatten", {}, [x]) if len(self._shape(x)) > 1 else _T(x)
        if op == "Reshape":
            return self._reshape(node, x, ins)
        if op == "Dropout":
            ratio = self.const(ins[1]) if len(ins) > 1 and ins[1] else None
            return self._add(
                node,
                "dropout",
                {"p": float(ratio) if ratio is not None else a.get("ratio", 0.5)},
                [x],
            )
        if op == "LRN":
            return self._add(
                node,
                "local_response_norm",
                {
                    "size": int(a["size"]),
                    "alpha": float(a.get("alpha", 1e-4)),
                    "beta": float(a.get("beta", 0.75)),
                    "k": float(a.get("bias", 1.0)),
                },
                [x],
            )
        if op == "Pad":
            return self._pad(node, x, a, ins)
        if op in ("Resize", "Upsample"):
            return self._resize(node, x, a, ins)
        if op == "Softmax":
            if (
                node.output[0] not in {o.name for o in self.model.graph.output}
                or len(self._shape(x)) != 1
            ):
                raise self.fail(
                    node, "Softmax is supported only as the last operator, on class scores"
                )
            return self._torch_module(node, x, "Softmax", {"dim": 1})
        if op == "Transpose":
            raise self.fail(node, "a Transpose is supported only inside a channel shuffle")
        if op == "Split":
            return self._split(node, x, a, ins)
        raise self.fail(node, "is not supported")

    # ----- operators ------------------------------------------------------------------------
    def _weight(self, node: onnx.NodeProto, name: str) -> np.ndarray:
        value = self.const(name)
        if value is None:
            raise self.fail(node, f"its weight '{name}' is not a constant (initializer)")
        return value

    def _pads(self, node: onnx.NodeProto, a: dict[str, Any], kernel: int) -> int:
        pads = list(a.get("pads", [0, 0, 0, 0]))
        auto = a.get("auto_pad", b"NOTSET")
        if auto in (b"SAME_UPPER", b"SAME_LOWER") and kernel % 2:
            return (kernel - 1) // 2
        if auto not in (b"NOTSET", b"VALID") or len(set(pads)) != 1:
            raise self.fail(node, f"uneven padding {pads} has no block")
        return int(pads[0])

    def _square(self, node: onnx.NodeProto, values: Any, what: str) -> int:
        values = list(values)
        if len(set(values)) != 1:
            raise self.fail(node, f"{what} {values} is not square")
        return int(values[0])

    def _conv(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> _T:
        w = self._weight(node, ins[1])
        k = self._square(node, a.get("kernel_shape", w.shape[2:]), "kernel")
        tensors = {"weight": w}
        if len(ins) > 2 and ins[2]:
            tensors["bias"] = self._weight(node, ins[2])
        params = {
            "out_channels": int(w.shape[0]),
            "kernel_size": k,
            "stride": self._square(node, a.get("strides", [1, 1]), "stride"),
            "padding": self._pads(node, a, k),
            "dilation": self._square(node, a.get("dilations", [1, 1]), "dilation"),
            "groups": int(a.get("group", 1)),
            "bias": "bias" in tensors,
        }
        return self._add(node, "conv2d", params, [x], tensors, _prefix(ins[1]))

    def _tconv(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> _T:
        w = self._weight(node, ins[1])
        if int(a.get("group", 1)) != 1 or set(a.get("dilations", [1, 1])) != {1}:
            raise self.fail(node, "grouped or dilated transposed convolutions have no block")
        tensors = {"weight": w}
        if len(ins) > 2 and ins[2]:
            tensors["bias"] = self._weight(node, ins[2])
        k = self._square(node, a.get("kernel_shape", w.shape[2:]), "kernel")
        params = {
            "out_channels": int(w.shape[1]),
            "kernel_size": k,
            "stride": self._square(node, a.get("strides", [1, 1]), "stride"),
            "padding": self._pads(node, a, k),
            "output_padding": self._square(node, a.get("output_padding", [0, 0]), "output padding"),
            "bias": "bias" in tensors,
        }
        return self._add(node, "transposed_conv", params, [x], tensors, _prefix(ins[1]))

    def _clip_bounds(
        self, node: onnx.NodeProto, a: dict[str, Any], ins: list[str]
    ) -> tuple[float, float]:
        low = a.get("min", -math.inf)
        high = a.get("max", math.inf)
        if len(ins) > 1 and ins[1]:
            low = float(self._weight(node, ins[1]))
        if len(ins) > 2 and ins[2]:
            high = float(self._weight(node, ins[2]))
        return low, high

    def _torch_module(self, node: onnx.NodeProto, x: str, cls: str, kwargs: dict[str, Any]) -> _T:
        from blocks.custom import arguments_json

        return self._add(
            node,
            "custom_module",
            {"module": f"torch.nn:{cls}", "args": "[]", "kwargs": arguments_json(kwargs)},
            [x],
        )

    def _arith(self, node: onnx.NodeProto, op: str, ins: list[str]) -> _T:
        left, right = (self.tensor(i) for i in ins[:2])
        if left and right:
            return self._add(node, "add" if op == "Add" else "multiply", {}, [left, right])
        tensor = left or right
        other = self.const(ins[1] if left else ins[0])
        if other is None or tensor is None:
            raise self.fail(node, "needs feature maps or a constant")
        if op == "Mul" and other.size == 1:
            return self._add(node, "scale", {"factor": float(other.reshape(()))}, [tensor])
        if (
            op == "Add"
            and self.nodes[tensor].block == "linear"
            and not self.nodes[tensor].params["bias"]
            and other.shape == (self.nodes[tensor].params["out_features"],)
            and self.consumers[ins[0] if left else ins[1]] == 1
        ):
            linear = self.nodes.pop(tensor)
            linear.params["bias"] = True
            linear.tensors["bias"] = other
            shape = self.shapes.pop(tensor)
            key = node.output[0]
            linear.key = key
            self.nodes[key], self.shapes[key] = linear, shape
            return _T(key)
        raise self.fail(node, "adds or multiplies a constant tensor, which has no block")

    def _pool(self, node: onnx.NodeProto, x: str, op: str, a: dict[str, Any]) -> _T:
        k = self._square(node, a["kernel_shape"], "kernel")
        s = self._square(node, a.get("strides", [1, 1]), "stride")
        p = self._pads(node, a, k)
        if set(a.get("dilations", [1, 1])) != {1}:
            raise self.fail(node, "dilated pooling has no block")
        if op == "AveragePool" and p and not a.get("count_include_pad", 0):
            raise self.fail(
                node, "average pooling that leaves padding out of the count has no block"
            )
        block = "max_pool" if op == "MaxPool" else "avg_pool"
        return self._add(
            node,
            block,
            {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": bool(a.get("ceil_mode", 0))},
            [x],
        )

    def _reduce_mean(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> _T:
        axes = a.get("axes")
        if axes is None and len(ins) > 1 and ins[1]:
            axes = self._weight(node, ins[1]).tolist()
        rank = len(self._shape(x)) + 1
        if rank != 4 or axes is None or {int(v) % 4 for v in axes} != {2, 3}:
            raise self.fail(
                node, "only the mean over height and width (global average pooling) is supported"
            )
        pooled = self._add(node, "global_avg_pool", {}, [x], out=node.output[0] + "__pool")
        if a.get("keepdims", 1):
            return pooled
        return self._add(node, "flatten", {}, [pooled.key])

    def _linear(
        self, node: onnx.NodeProto, x: str, op: str, a: dict[str, Any], ins: list[str]
    ) -> _T:
        w = self._weight(node, ins[1])
        if len(self._shape(x)) != 1 or w.ndim != 2:
            raise self.fail(node, "only a fully connected layer on a vector is supported")
        if op == "Gemm":
            if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
                raise self.fail(
                    node, "only Gemm with alpha = beta = 1 and no transposed input is supported"
                )
            weight = w if a.get("transB", 0) else w.T
        else:
            weight = w.T
        tensors = {"weight": np.ascontiguousarray(weight)}
        if op == "Gemm" and len(ins) > 2 and ins[2]:
            tensors["bias"] = np.broadcast_to(self._weight(node, ins[2]), (weight.shape[0],)).copy()
        return self._add(
            node,
            "linear",
            {"out_features": int(weight.shape[0]), "bias": "bias" in tensors},
            [x],
            tensors,
            _prefix(ins[1]),
        )

    def _reshape(self, node: onnx.NodeProto, x: str, ins: list[str]) -> Any:
        target = self._weight(node, ins[1]).astype(np.int64).tolist()
        shape = self._shape(x)
        if (
            len(target) == 2
            and (target[1] == -1 or target[1] == math.prod(shape))
            and target[0] in (-1, 0)
        ):
            return self._add(node, "flatten", {}, [x]) if len(shape) > 1 else _T(x)
        if len(target) == 2 and target[0] == -1 and target[1] == math.prod(shape):
            return self._add(node, "flatten", {}, [x])
        if (
            len(shape) == 3
            and len(target) == 5
            and target[1] * target[2] == shape[0]
            and list(target[3:]) == list(shape[1:])
        ):
            return _Shuffle(x, int(target[1]), False)
        if list(target[1:]) == list(shape):
            return _T(x)
        raise self.fail(
            node, f"reshapes {list(shape)} to {target}; only flattening to N×-1 is supported"
        )

    def _shuffle(self, node: onnx.NodeProto, state: _Shuffle, a: dict[str, Any]) -> Any:
        if (
            node.op_type == "Transpose"
            and not state.transposed
            and list(a.get("perm", [])) == [0, 2, 1, 3, 4]
        ):
            return _Shuffle(state.src, state.groups, True)
        if node.op_type == "Reshape" and state.transposed:
            target = self._weight(node, node.input[1]).tolist()
            if list(target[1:]) == list(self._shape(state.src)):
                return self._add(node, "channel_shuffle", {"groups": state.groups}, [state.src])
        raise self.fail(node, "is part of a reshape/transpose pattern other than a channel shuffle")

    def _split(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> list[_T]:
        channels = self._shape(x)[0]
        parts = len(node.output)
        sizes = self.const(ins[1]).tolist() if len(ins) > 1 and ins[1] else a.get("split")
        if a.get("axis", 0) != 1 or channels % parts or (sizes and len(set(sizes)) != 1):
            raise self.fail(node, "only a split of the channels into equal parts is supported")
        return [
            self._add(node, "channel_split", {"parts": parts, "index": i}, [x], out=out)
            for i, out in enumerate(node.output)
        ]

    def _pad(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> _T:
        pads = a.get("pads") or (self._weight(node, ins[1]).tolist() if len(ins) > 1 else [])
        value = self.const(ins[2]) if len(ins) > 2 and ins[2] else None
        mode = a.get("mode", b"constant")
        if len(pads) == 8 and not any(pads[:2]) and not any(pads[4:6]):
            spatial = pads[2:4] + pads[6:8]
            if (
                mode == b"constant"
                and len(set(spatial)) == 1
                and (value is None or float(value) == 0)
            ):
                return self._add(node, "zero_pad", {"padding": int(spatial[0])}, [x])
        raise self.fail(node, f"padding {pads} is not the same zero border on every side")

    def _resize(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> _T:
        scales = None
        for i in (2, 1):
            if len(ins) > i and ins[i]:
                value = self.const(ins[i])
                if value is not None and value.size == 4:
                    scales = value.tolist()
        if a.get("scales"):
            scales = list(a["scales"])
        mode = a.get("mode", b"nearest").decode()
        if not scales or scales[:2] != [1.0, 1.0] or scales[2] != scales[3]:
            raise self.fail(node, "only resizing height and width by one scale factor is supported")
        factor = float(scales[2])
        kwargs: dict[str, Any] = {"scale_factor": int(factor) if factor.is_integer() else factor}
        if mode == "linear":
            kwargs["mode"] = "bilinear"
            coord = a.get("coordinate_transformation_mode", b"half_pixel")
            kwargs["align_corners"] = coord == b"align_corners"
        elif mode != "nearest":
            raise self.fail(node, f"'{mode}' resizing has no block")
        return self._torch_module(node, x, "Upsample", kwargs)

    # ----- the project ----------------------------------------------------------------------
    def _project(self, last: str) -> ImportResult:
        nodes = self._live(last)
        tail = nodes[last]
        fed = any(last in n.inputs for n in nodes.values())
        if tail.block == "linear" and tail.params["bias"] and not fed:
            tail.block, tail.params = "output", {"num_classes": tail.params["out_features"]}
        else:
            nodes["__output__"] = _Node(
                "__output__", "output", {"num_classes": 0}, [last], {}, "output"
            )
        graph, names = Graph(), _names(nodes)
        ids = {}
        for key, node in nodes.items():
            ids[key] = graph.add_node(node.block, node.params, name=names[key]).id
        for key, node in nodes.items():
            for port, src in enumerate(node.inputs):
                graph.connect(ids[src], ids[key], port)
        layout_imported(graph)
        title = self.model.graph.name or self.path.stem
        project = Project(
            graph,
            tuple(self.input_shape),
            _title(title, self.path),
            f"Imported from ONNX ({self.path.name}).",
        )
        state, key_map = {}, {}
        for key, node in nodes.items():
            for local, value in node.tensors.items():
                name = f"{names[key]}.{local}"
                state[name] = torch.from_numpy(np.array(value, copy=True))
                key_map[f"{node.name_hint}.{local}"] = name
        return ImportResult(project, state, key_map)

    def _live(self, last: str) -> dict[str, _Node]:
        needed, pending = set(), [last]
        while pending:
            key = pending.pop()
            if key not in needed:
                needed.add(key)
                pending.extend(self.nodes[key].inputs)
        if "__input__" not in needed:
            raise ModelImportError(str(self.path), "its output does not depend on the input image")
        return {k: n for k, n in self.nodes.items() if k in needed}


def _prefix(weight_name: str) -> str:
    """'layer1_0.conv1.weight' → 'layer1_0.conv1': the layer a weight initializer belongs to."""
    return weight_name.rpartition(".")[0] if "." in weight_name else ""


def _hint(node: onnx.NodeProto) -> str:
    return node.name or node.output[0]


def _names(nodes: dict[str, _Node]) -> dict[str, str]:
    taken: set[str] = set()
    names = {}
    for key, node in nodes.items():
        hint = re.sub(r"[^A-Za-z0-9_]", "_", node.name_hint or key).strip("_")
        if hint.startswith("node_"):
            hint = hint[5:]
        names[key] = unique_identifier(hint or "layer", taken)
    return names


def _title(name: str, path: Path) -> str:
    return (
        name if name and name not in ("main_graph", "torch_jit", "torch-jit-export") else path.stem
    )
