"""The state an ONNX import builds up, and the helpers every operator mapping uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import helper

from runtime.importing.errors import ModelImportError
from runtime.importing.onnx_graph import Node, T, name_hint


class ImporterBase:
    """The state an ONNX import builds up: blocks by tensor name, their shapes, constants."""

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
        self.nodes: dict[str, Node] = {}
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
    ) -> T:
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
        self.nodes[key] = Node(
            key, block, resolved, inputs, tensors or {}, hint or name_hint(onnx_node)
        )
        return T(key)

    def const(self, name: str) -> np.ndarray | None:
        """The constant value of a tensor name (initializer or Constant output), else None."""
        if name in self.consts:
            return self.consts[name]
        value = self.env.get(name)
        return value if isinstance(value, np.ndarray) else None

    def tensor(self, name: str) -> str | None:
        """The block key producing a tensor name, else None."""
        value = self.env.get(name)
        return value.key if isinstance(value, T) else None

    def _attrs(self, node: onnx.NodeProto) -> dict[str, Any]:
        """The node's attributes as Python values."""
        return {a.name: helper.get_attribute_value(a) for a in node.attribute}
