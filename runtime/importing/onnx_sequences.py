"""Blocks that exporters write as a run of small operators, recognised as that run goes by.

- exact GELU: x · 0.5 · (1 + erf(x / √2))  (Div, Erf, Add, Mul, Mul);
- local response norm: x / (k + α · avg_pool3d(pad(x²)))^β  (Mul, Reshape, Pad, AveragePool,
  Squeeze, Mul, Add, Pow, Div);
- spatial slices: a crop to a reference size, or with a channel Pad, ResNet's zero-pad shortcut;
- adaptive average pooling to a larger map, written as Transpose, GatherND, Transpose,
  ReduceMean.

Each step leaves a Partial in the importer's environment; an operator that does not continue the
run settles it into the block it already is (a square becomes a multiply, a division a scale) or
names the run on one line."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx

from runtime.importing.onnx_graph import T
from runtime.importing.onnx_state import ImporterBase

SQRT2 = math.sqrt(2.0)
BIG = 2**62
"""Slice ends at or past this mean 'to the end'."""


@dataclass
class Partial:
    """Operators under way that together form one block."""

    kind: str
    """'gelu', 'lrn', 'slice' or 'gather'."""
    stage: str
    src: str
    """The block key of the feature map the run started from."""
    node: onnx.NodeProto
    """The last operator of the run so far (named in errors; its output names the tensor)."""
    info: dict[str, Any] = field(default_factory=dict)

    def then(self, stage: str, node: onnx.NodeProto, **info: Any) -> "Partial":
        """The run one operator further."""
        return Partial(self.kind, stage, self.src, node, {**self.info, **info})


def _scalar(value: np.ndarray | None) -> float | None:
    """A one-element constant as a float, else None."""
    return float(value.reshape(())) if value is not None and value.size == 1 else None


def _close(value: float | None, expected: float) -> bool:
    return value is not None and abs(value - expected) <= 1e-6 * max(1.0, abs(expected))


class SequenceOps(ImporterBase):
    """Start, continue and settle the runs of operators listed in the module docstring."""

    def start_sequence(self, node: onnx.NodeProto, x: str, a: dict[str, Any]) -> Partial | None:
        """A Partial when `node`, applied to feature map x, may begin a known run."""
        op, ins = node.op_type, list(node.input)
        if op == "Div" and _close(_scalar(self.const(ins[1])), SQRT2):
            return Partial("gelu", "div", x, node)
        if op == "Mul" and len(ins) == 2 and ins[0] == ins[1]:
            return Partial("lrn", "square", x, node)
        if op == "Slice":
            return self._slice(node, Partial("slice", "slice", x, node, {"axes": {}}))
        if op == "Transpose" and list(a.get("perm", [])) == [2, 3, 0, 1]:
            return Partial("gather", "transposed", x, node)
        return None

    def continue_sequence(
        self, node: onnx.NodeProto, a: dict[str, Any], p: Partial, position: int
    ) -> Partial | T | None:
        """The next state when `node` (taking p at input `position`) continues p's run."""
        op, ins = node.op_type, list(node.input)
        other = ins[1 - position] if len(ins) == 2 else None
        value = _scalar(self.const(other)) if other else None
        same_src = other is not None and self.tensor(other) == p.src
        step = (p.kind, p.stage, op)
        if step == ("gelu", "div", "Erf"):
            return p.then("erf", node)
        if step == ("gelu", "erf", "Add") and _close(value, 1.0):
            return p.then("plus1", node)
        if step == ("gelu", "plus1", "Mul") and _close(value, 0.5):
            return p.then("half", node)
        if step == ("gelu", "plus1", "Mul") and same_src:
            return p.then("x_plus1", node)
        if (step == ("gelu", "half", "Mul") and same_src) or (
            step == ("gelu", "x_plus1", "Mul") and _close(value, 0.5)
        ):
            return self._add(node, "gelu", {"approximate": "none"}, [p.src])
        if p.kind == "lrn":
            return self._lrn(node, a, p, position, value, same_src)
        if p.kind == "slice" and op == "Slice" and position == 0:
            return self._slice(node, p)
        if p.kind == "slice" and op == "Pad" and position == 0:
            return self._shortcut(node, a, p)
        if p.kind == "gather":
            return self._gather(node, a, p)
        return None

    def settle(self, p: Partial) -> T:
        """The block a run stopped part-way already is; else a one-line error."""
        if p.kind == "gelu" and p.stage == "div":
            return self._add(p.node, "scale", {"factor": 1 / SQRT2}, [p.src])
        if p.kind == "lrn" and p.stage == "square":
            return self._add(p.node, "multiply", {}, [p.src, p.src])
        if p.kind == "slice":
            return self._crop(p)
        known = {
            "gelu": "exact GELU (Div, Erf, Add, Mul)",
            "lrn": "local response norm (Mul, Reshape, Pad, AveragePool, Squeeze, Pow, Div)",
            "gather": "adaptive average pooling (Transpose, GatherND, Transpose, ReduceMean)",
        }
        raise self.fail(
            p.node, f"begins a run of operators that is not {known[p.kind]}, which has no block"
        )

    # ----- local response norm ---------------------------------------------------------------
    def _lrn(
        self,
        node: onnx.NodeProto,
        a: dict[str, Any],
        p: Partial,
        position: int,
        value: float | None,
        same_src: bool,
    ) -> Partial | T | None:
        op, ins = node.op_type, list(node.input)
        c, h, w = (self.shapes[p.src] + (0, 0, 0))[:3]
        if p.stage == "square" and op == "Reshape":
            target = self.const(ins[1])
            if target is not None and target.tolist()[1:] == [1, c, h, w]:
                return p.then("volume", node)
        if p.stage == "volume" and op == "Pad":
            pads = self._pad_list(node, a)
            if len(pads) == 10 and not any(pads[:2] + pads[3:7] + pads[8:]):
                return p.then("padded", node, front=pads[2], back=pads[7])
        if p.stage == "padded" and op == "AveragePool":
            size = list(a.get("kernel_shape", []))
            if (
                len(size) == 3
                and size[1:] == [1, 1]
                and set(a.get("strides", [1, 1, 1])) == {1}
                and a.get("count_include_pad", 0)
                and (p.info["front"], p.info["back"]) == (size[0] // 2, (size[0] - 1) // 2)
            ):
                return p.then("averaged", node, size=int(size[0]))
        if p.stage == "averaged" and op == "Squeeze":
            axes = self.const(ins[1]) if len(ins) > 1 else np.array(a.get("axes", []))
            if axes is not None and axes.reshape(-1).tolist() == [1]:
                return p.then("sum", node)
        if p.stage == "sum" and op == "Mul" and value is not None:
            return p.then("alpha", node, alpha=value)
        if p.stage == "alpha" and op == "Add" and value is not None:
            return p.then("k", node, k=value)
        if p.stage == "k" and op == "Pow" and position == 0 and value is not None:
            return p.then("power", node, beta=value)
        if p.stage == "power" and op == "Div" and position == 1 and same_src:
            params = {"size": p.info["size"], "alpha": p.info["alpha"], "beta": p.info["beta"]}
            return self._add(node, "local_response_norm", {**params, "k": p.info["k"]}, [p.src])
        return None

    def _pad_list(self, node: onnx.NodeProto, a: dict[str, Any]) -> list[int]:
        ins = list(node.input)
        pads = a.get("pads") or (self.const(ins[1]).tolist() if len(ins) > 1 else [])
        value = self.const(ins[2]) if len(ins) > 2 and ins[2] else None
        if a.get("mode", b"constant") != b"constant" or (value is not None and float(value)):
            return []
        return [int(v) for v in pads]

    # ----- slices: crop and zero-pad shortcut ------------------------------------------------
    def _slice(self, node: onnx.NodeProto, p: Partial) -> Partial:
        ins = list(node.input)
        starts, ends = (self._weight(node, i).reshape(-1).tolist() for i in ins[1:3])
        axes = self._weight(node, ins[3]).reshape(-1).tolist() if len(ins) > 3 else None
        steps = self._weight(node, ins[4]).reshape(-1).tolist() if len(ins) > 4 else None
        axes = axes if axes is not None else list(range(len(starts)))
        steps = steps if steps is not None else [1] * len(starts)
        shape = self.shapes[p.src]
        found = dict(p.info["axes"])
        for axis, start, end, step in zip(axes, starts, ends, steps):
            axis = int(axis) % 4
            if axis not in (2, 3) or axis in found or step < 1:
                raise self.fail(node, "only slicing height and width, forwards, is supported")
            size = shape[axis - 1]
            start, end = (min(max(v + size if v < 0 else v, 0), size) for v in (start, end))
            found[axis] = (start, end, int(step))
        return p.then("slice", node, axes=found)

    def _region(self, p: Partial) -> tuple[tuple[int, int, int], ...]:
        """(start, end, step) along height and width."""
        _, h, w = self.shapes[p.src]
        axes = p.info["axes"]
        return axes.get(2, (0, h, 1)), axes.get(3, (0, w, 1))

    def _shortcut(self, node: onnx.NodeProto, a: dict[str, Any], p: Partial) -> T | None:
        pads = self._pad_list(node, a)
        (top, bottom, sy), (left, right, sx) = self._region(p)
        c, h, w = self.shapes[p.src]
        if len(pads) != 8 or any(pads[i] for i in (0, 2, 3, 4, 6, 7)):
            return None
        front, back = pads[1], pads[5]
        if sy != sx or (top, left, bottom, right) != (0, 0, h, w) or front != (front + back) // 2:
            return None
        params = {"out_channels": c + front + back, "stride": sy}
        return self._add(node, "zero_pad_shortcut", params, [p.src])

    def _crop(self, p: Partial) -> T:
        (top, bottom, sy), (left, right, sx) = self._region(p)
        _, h, w = self.shapes[p.src]
        size = (bottom - top, right - left)
        if (sy, sx) != (1, 1):
            raise self.fail(p.node, "a strided slice has no block outside a zero-pad shortcut")
        if (top, left) == ((h - size[0]) // 2, (w - size[1]) // 2):
            offset = -1
        elif top == left:
            offset = top
        else:
            raise self.fail(p.node, f"crops from ({top}, {left}); a crop starts on the diagonal")
        if (top, left, size) == (0, 0, (h, w)):
            return T(p.src)
        reference = next(
            (k for k, s in self.shapes.items() if len(s) == 3 and tuple(s[1:]) == size), None
        )
        if reference is None:
            raise self.fail(
                p.node, f"crops to {size[0]}×{size[1]}, and no feature map has that size to crop to"
            )
        return self._add(p.node, "crop", {"offset": offset}, [p.src, reference])

    # ----- adaptive average pooling to a larger map ------------------------------------------
    def _gather(self, node: onnx.NodeProto, a: dict[str, Any], p: Partial) -> Partial | T | None:
        op, ins = node.op_type, list(node.input)
        if p.stage == "transposed" and op == "GatherND" and not a.get("batch_dims", 0):
            index = self.const(ins[1])
            if index is not None and index.ndim == 5 and index.shape[-1] == 2:
                return p.then("gathered", node, index=index)
        if (
            p.stage == "gathered"
            and op == "Transpose"
            and list(a.get("perm", [])) == [4, 5, 0, 1, 2, 3]
        ):
            return p.then("windows", node)
        if p.stage != "windows" or op != "ReduceMean" or a.get("keepdims", 1):
            return None
        axes = a.get("axes")
        if axes is None and len(ins) > 1:
            axes = self._weight(node, ins[1]).reshape(-1).tolist()
        if axes is not None and sorted(int(v) % 6 for v in axes) == [3, 5]:
            return self._adaptive(node, p)
        return None

    def _adaptive(self, node: onnx.NodeProto, p: Partial) -> T:
        index = p.info["index"]
        _, h, w = self.shapes[p.src]
        oh, kh, ow, kw, _ = index.shape
        expected = np.zeros_like(index)
        for i in range(oh):
            for j in range(ow):
                y0, x0 = (i * h) // oh, (j * w) // ow
                for u in range(kh):
                    for v in range(kw):
                        expected[i, u, j, v] = (y0 + u, x0 + v)
        windows_fit = all(
            -(-((i + 1) * n) // o) - (i * n) // o == k
            for n, o, k in ((h, oh, kh), (w, ow, kw))
            for i in range(o)
        )
        if not windows_fit or not np.array_equal(index, expected):
            raise self.fail(node, "gathers windows other than adaptive average pooling's")
        params = {"output_height": int(oh), "output_width": int(ow)}
        return self._add(node, "adaptive_avg_pool", params, [p.src])
