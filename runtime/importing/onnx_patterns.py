"""ONNX operator sequences that together form one block: flattening reshapes, channel shuffles
(reshape, transpose, reshape) and channel splits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx

from runtime.importing.onnx_graph import T
from runtime.importing.onnx_state import ImporterBase


@dataclass(frozen=True)
class Shuffle:
    """A channel shuffle under way: reshaped to groups, maybe transposed."""

    src: str
    groups: int
    transposed: bool


class PatternOps(ImporterBase):
    """Reshapes, channel shuffles and splits."""

    def _reshape(self, node: onnx.NodeProto, x: str, ins: list[str]) -> Any:
        target = self._weight(node, ins[1]).astype(np.int64).tolist()
        shape = self._shape(x)
        if (
            len(target) == 2
            and (target[1] == -1 or target[1] == math.prod(shape))
            and target[0] in (-1, 0)
        ):
            return self._add(node, "flatten", {}, [x]) if len(shape) > 1 else T(x)
        if len(target) == 2 and target[0] == -1 and target[1] == math.prod(shape):
            return self._add(node, "flatten", {}, [x])
        if (
            len(shape) == 3
            and len(target) == 5
            and target[1] * target[2] == shape[0]
            and list(target[3:]) == list(shape[1:])
        ):
            return Shuffle(x, int(target[1]), False)
        if list(target[1:]) == list(shape):
            return T(x)
        raise self.fail(
            node, f"reshapes {list(shape)} to {target}; only flattening to N×-1 is supported"
        )

    def _shuffle(self, node: onnx.NodeProto, state: Shuffle, a: dict[str, Any]) -> Any:
        if (
            node.op_type == "Transpose"
            and not state.transposed
            and list(a.get("perm", [])) == [0, 2, 1, 3, 4]
        ):
            return Shuffle(state.src, state.groups, True)
        if node.op_type == "Reshape" and state.transposed:
            target = self._weight(node, node.input[1]).tolist()
            if list(target[1:]) == list(self._shape(state.src)):
                return self._add(node, "channel_shuffle", {"groups": state.groups}, [state.src])
        raise self.fail(node, "is part of a reshape/transpose pattern other than a channel shuffle")

    def _split(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> list[T]:
        channels = self._shape(x)[0]
        parts = len(node.output)
        sizes = self.const(ins[1]).tolist() if len(ins) > 1 and ins[1] else a.get("split")
        if a.get("axis", 0) != 1 or channels % parts or (sizes and len(set(sizes)) != 1):
            raise self.fail(node, "only a split of the channels into equal parts is supported")
        return [
            self._add(node, "channel_split", {"parts": parts, "index": i}, [x], out=out)
            for i, out in enumerate(node.output)
        ]
