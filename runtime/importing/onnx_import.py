"""Import an ONNX file: common operators become blocks, initializers become the weights. Only
reads."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from runtime.importing.errors import ModelImportError
from runtime.importing.onnx_graph import (
    Node,
    T,
    check_operators,
    fold_constants,
    weight_prefix,
)
from runtime.importing.onnx_layers import LayerOps
from runtime.importing.onnx_patterns import PatternOps, Shuffle
from runtime.importing.onnx_project import ProjectBuilder
from runtime.importing.onnx_sequences import Partial, SequenceOps
from runtime.importing.pytorch import ImportResult


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
    check_operators(model, path, consts)
    return _Importer(model, path, input_shape, consts).run()


class _Importer(LayerOps, PatternOps, SequenceOps, ProjectBuilder):
    """Walks the ONNX graph in order, mapping each operator (or pattern) to a block."""

    # ----- the walk -------------------------------------------------------------------------
    def run(self) -> ImportResult:
        """Map every operator, then build the project and its weights."""
        graph = self.model.graph
        initializers = {t.name for t in graph.initializer}
        source = next(i.name for i in graph.input if i.name not in initializers)
        self.nodes["__input__"] = Node("__input__", "input", {}, [], {}, "input_image")
        self.shapes["__input__"] = tuple(self.input_shape)
        self.env[source] = T("__input__")
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
        produced = self.env.get(graph.output[0].name)
        if isinstance(produced, Partial):  # a run of operators that ends the graph
            self.env[graph.output[0].name] = self.settle(produced)
        last = self.tensor(graph.output[0].name)
        if last is None:
            raise ModelImportError(
                str(self.path), "its output is not computed from the input image"
            )
        return self._project(last)

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
        if isinstance(self.env.get(ins[0]), Shuffle):
            return self._shuffle(node, self.env[ins[0]], a)
        pending = [(k, i) for k, i in enumerate(ins) if isinstance(self.env.get(i), Partial)]
        if pending:
            position, name = pending[0]
            step = self.continue_sequence(node, a, self.env[name], position)
            if step is not None:
                return step
            for _, name in pending:
                self.env[name] = self.settle(self.env[name])
            x = self.tensor(ins[0])
        if x is not None:
            started = self.start_sequence(node, x, a)
            if started is not None:
                return started
        if op in ("Add", "Mul"):
            return self._arith(node, op, ins)
        if x is None:
            if all(self.const(i) is not None for i in ins if i):
                raise self.fail(
                    node, "computes a constant; fold constants (onnx optimizer) before importing"
                )
            raise self.fail(node, "its first input is not a feature map")
        if op == "Div":
            divisor = self.const(ins[1])
            if divisor is None or divisor.size != 1 or not float(divisor.reshape(())):
                raise self.fail(node, "only division by a constant number is supported")
            return self._add(node, "scale", {"factor": 1 / float(divisor.reshape(()))}, [x])
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
                weight_prefix(ins[1]),
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
                weight_prefix(ins[1]),
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
            return self._add(node, "flatten", {}, [x]) if len(self._shape(x)) > 1 else T(x)
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
