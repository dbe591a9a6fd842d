"""ONNX operators that map one-to-one onto catalogue blocks, weights taken from initializers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import onnx

from runtime.importing.onnx_graph import T, weight_prefix
from runtime.importing.onnx_state import ImporterBase

MAX_CONV_PADDING = 64
"""The widest padding a convolution block takes (its 'padding' parameter's limit)."""


class LayerOps(ImporterBase):
    """Convolutions, normalisation, pooling, fully connected layers, padding and resizing."""

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

    def _conv(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> T:
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
        if params["padding"] > MAX_CONV_PADDING:  # wider than a conv block pads: a pad block first
            pad = {"padding": params["padding"]}
            x = self._add(node, "zero_pad", pad, [x], out=f"{node.output[0]}__pad").key
            params["padding"] = 0
        return self._add(node, "conv2d", params, [x], tensors, weight_prefix(ins[1]))

    def _tconv(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> T:
        w = self._weight(node, ins[1])
        fixed = self._bilinear(node, x, a, ins, w)
        if fixed is not None:
            return fixed
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
        return self._add(node, "transposed_conv", params, [x], tensors, weight_prefix(ins[1]))

    def _bilinear(
        self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str], w: np.ndarray
    ) -> T | None:
        """A fixed bilinear upsampling block when the transposed convolution is one (one
        channel per group, FCN's bilinear kernel, no bias or padding), else None."""
        from blocks.modules.zoo_ops import BilinearUpsample

        channels = self._shape(x)[0]
        factor = self._square(node, a.get("strides", [1, 1]), "stride")
        if (
            int(a.get("group", 1)) != channels
            or w.shape != (channels, 1, 2 * factor - factor % 2, 2 * factor - factor % 2)
            or (len(ins) > 2 and ins[2])
            or any(a.get("pads", [0]))
            or any(a.get("output_padding", [0]))
            or set(a.get("dilations", [1, 1])) != {1}
        ):
            return None
        expected = BilinearUpsample(channels, factor).weight.numpy()
        if not np.allclose(w, expected, atol=1e-6):
            return None
        return self._add(node, "bilinear_upsample", {"factor": factor}, [x], {"weight": w})

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

    def _torch_module(self, node: onnx.NodeProto, x: str, cls: str, kwargs: dict[str, Any]) -> T:
        from blocks.custom import arguments_json

        return self._add(
            node,
            "custom_module",
            {"module": f"torch.nn:{cls}", "args": "[]", "kwargs": arguments_json(kwargs)},
            [x],
        )

    def _arith(self, node: onnx.NodeProto, op: str, ins: list[str]) -> T:
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
            return T(key)
        raise self.fail(node, "adds or multiplies a constant tensor, which has no block")

    def _pool(self, node: onnx.NodeProto, x: str, op: str, a: dict[str, Any]) -> T:
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

    def _reduce_mean(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> T:
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
    ) -> T:
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
            weight_prefix(ins[1]),
        )

    def _pad(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> T:
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

    def _resize(self, node: onnx.NodeProto, x: str, a: dict[str, Any], ins: list[str]) -> T:
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
