"""Map functional calls and tensor methods (F.relu, torch.cat, x.mean, operators) to blocks, or to
a custom module node of their torch.nn twin when no block fits."""

from __future__ import annotations

import math
import operator
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx

from blocks import custom
from runtime.importing.fx_nodes import _Const, _square, _Tensor
from runtime.importing.fx_ops import (
    _ADD,
    _CAT,
    _MUL,
    _PASS,
    _RELU,
    _SIGMOID,
    _SIMPLE,
    _TANH,
    _TORCH_NN,
    _VIEW,
)
from runtime.importing.fx_patterns import PatternOps
from runtime.importing.module_map import adaptive


class FunctionalOps(PatternOps):
    """FxMapper's functional calls and tensor methods on a mapped tensor."""

    def _function(
        self,
        n: fx.Node,
        target: Any,
        args: list[Any],
        a: dict[str, Any],
        first: Any,
        src: str | None,
        out: Any,
    ) -> Any:
        """Map a call on mapped values (`a`: its arguments by name, `first`: its first argument,
        `src`: that argument's tensor key, `out`: its value in the example run)."""
        if target in _RELU:
            return self._emit(n, "relu", {}, [src])
        if target in _SIGMOID:
            return self._emit(n, "sigmoid", {}, [src])
        if target in _TANH:
            return self._emit(n, "tanh", {}, [src])
        if target in _SIMPLE:
            return self._emit(n, _SIMPLE[target], {}, [src])
        if target is F.leaky_relu:
            return self._emit(
                n,
                "leaky_relu",
                {"negative_slope": float(self._const(a.get("negative_slope", _Const(0.01))))},
                [src],
            )
        if target is F.elu:
            return self._emit(
                n, "elu", {"alpha": float(self._const(a.get("alpha", _Const(1.0))))}, [src]
            )
        if target is F.gelu:
            return self._emit(
                n, "gelu", {"approximate": self._const(a.get("approximate", _Const("none")))}, [src]
            )
        if target is F.hardtanh and (
            self._const(a.get("min_val", _Const(-1.0))),
            self._const(a.get("max_val", _Const(1.0))),
        ) == (0.0, 6.0):
            return self._emit(n, "relu6", {}, [src])
        if target in _PASS or (target == "expand_as" and len(args) == 2):
            return first
        if target in (F.dropout, F.dropout2d):
            p = float(self._const(a.get("p", _Const(0.5))))
            block = "dropout" if target is F.dropout else "spatial_dropout"
            return self._emit(n, block, {"p": p}, [src])
        if target in _ADD | _MUL:
            return self._arith(n, target, args)
        if target in (operator.sub, torch.rsub, torch.sub, "sub", "rsub"):
            return self._sub(n, target, args)
        if target in _CAT:
            return self._cat(n, a)
        if target in (torch.flatten, "flatten"):
            start = self._const(a.get("start_dim", _Const(0)))
            end = self._const(a.get("end_dim", _Const(-1)))
            if end == -1 and start == 1:
                return self._emit(n, "flatten", {}, [src]) if len(self._shape(src)) > 1 else first
        if target in _VIEW:
            return self._view(n, src, out)
        if target in ("mean", torch.mean):
            return self._mean(n, src, a)
        if target in (F.max_pool2d, F.avg_pool2d):
            return self._pool(n, src, target, a)
        if target in (F.adaptive_avg_pool2d, F.adaptive_max_pool2d):
            block = "adaptive_avg_pool" if target is F.adaptive_avg_pool2d else "adaptive_max_pool"
            if not self._const(a.get("return_indices", _Const(False))):
                mapped = adaptive(block, self._const(a["output_size"]))
                if mapped:
                    return self._emit(n, mapped[0], mapped[1], [src])
        if target in ("chunk", torch.chunk, "split", torch.split):
            return self._chunks(n, src, target, a)
        if target is operator.getitem:
            return self._slice(n, src, self._const(args[1]))
        if target is F.pad:
            pad = self._const(a["pad"])
            mode = self._const(a.get("mode", _Const("constant")))
            value = self._const(a.get("value", _Const(None)))
            if mode == "constant" and not value and len(pad) == 4 and len(set(pad)) == 1:
                return self._emit(n, "zero_pad", {"padding": int(pad[0])}, [src])
        if target in _TORCH_NN:
            return self._twin(n, target, src, a)
        return self._unmappable(n)

    def _twin(self, n: fx.Node, target: Any, src: str, a: dict[str, Any]) -> Any:
        const = {
            k: self._const(v) for k, v in a.items() if k not in ("input", "self", "_stacklevel")
        }
        made = _TORCH_NN[target](const)
        if made is not None:
            kwargs_plain = {k: v for k, v in made[1].items() if v is not None}
            return self._emit(
                n,
                "custom_module",
                {
                    "module": f"torch.nn:{made[0]}",
                    "args": "[]",
                    "kwargs": custom.arguments_json(kwargs_plain),
                },
                [src],
            )
        return self._unmappable(n)

    def _arith(self, n: fx.Node, target: Any, args: list[Any]) -> Any:
        if len(args) != 2:
            return self._unmappable(n)
        x, y = (self._tensor(v) for v in args)
        is_add = target in _ADD
        if x and y:
            return self._emit(n, "add" if is_add else "multiply", {}, [x, y])
        tensor, other = (x, args[1]) if x else (y, args[0])
        if tensor and not is_add:
            factor = self._const(other)
            if isinstance(factor, (int, float)) and math.isfinite(factor):
                return self._emit(n, "scale", {"factor": float(factor)}, [tensor])
        return self._unmappable(n)

    def _sub(self, n: fx.Node, target: Any, args: list[Any]) -> Any:
        if len(args) == 2:
            a, b = args
            if target is torch.rsub or target == "rsub":
                a, b = b, a
            if isinstance(a, _Const) and a.value == 1 and self._tensor(b):
                return self._emit(n, "one_minus", {}, [self._tensor(b)])
        return self._unmappable(n)

    def _cat(self, n: fx.Node, a: dict[str, Any]) -> Any:
        parts = [self._tensor(v) for v in a.get("tensors", ())]
        dim = self._const(a.get("dim", _Const(0)))
        if not parts or None in parts:
            return self._unmappable(n)
        rank = len(self._shape(parts[0])) + 1
        if dim % rank != 1:
            return self._unmappable(n)
        if len(parts) == 1:
            return _Tensor(parts[0])
        return self._emit(n, "concat", {}, parts)

    def _pool(self, n: fx.Node, src: str, target: Any, a: dict[str, Any]) -> Any:
        k = _square(self._const(a["kernel_size"]))
        s = _square(self._const(a.get("stride", _Const(None))) or k)
        p = _square(self._const(a.get("padding", _Const(0))))
        ceil = bool(self._const(a.get("ceil_mode", _Const(False))))
        if target is F.max_pool2d:
            ok = _square(self._const(a.get("dilation", _Const(1)))) == 1 and not self._const(
                a.get("return_indices", _Const(False))
            )
            block = "max_pool"
        else:
            ok = (
                self._const(a.get("count_include_pad", _Const(True)))
                and self._const(a.get("divisor_override", _Const(None))) is None
            )
            block = "avg_pool"
        if ok and None not in (k, s, p) and 2 * p <= k:
            return self._emit(
                n, block, {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil}, [src]
            )
        return self._unmappable(n)
