"""Build a block on the meta device and run it for its output shape, parameters and multiply-adds.

Meta tensors are exact but their kernels run through slow Python references (and the first one
imports sympy and torch._dynamo, about a second), so `ShapeOnlyMode` answers shape-preserving and
broadcasting ops directly, takes the common layer ops' shapes from `shape_rules`, and counts the
multiply-adds of convolutions and matrix products with the same formulas as
torch.utils.flop_counter (which counts nothing else).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from blocks.spec import Ctor, Shape
from runtime.shape_rules import RULES, broadcast

T = torch.Tensor
_SAME_SHAPE: set[Callable] = {
    F.relu,
    torch.relu,
    torch.relu_,
    F.relu_,
    F.relu6,
    F.leaky_relu,
    F.leaky_relu_,
    F.elu,
    F.elu_,
    F.gelu,
    F.silu,
    F.hardswish,
    F.hardsigmoid,
    F.prelu,
    F.sigmoid,
    F.tanh,
    torch.sigmoid,
    torch.tanh,
    F.mish,
    F.batch_norm,
    F.instance_norm,
    F.group_norm,
    F.layer_norm,
    F.local_response_norm,
    F.dropout,
    F.dropout2d,
    F.alpha_dropout,
    F.hardtanh,
    F.softmax,
    torch.softmax,
    T.relu,
    T.relu_,
    T.sigmoid,
    T.sigmoid_,
    T.tanh,
    T.tanh_,
    T.contiguous,
    T.clone,
    T.exp,
    T.sqrt,
    T.abs,
    T.neg,
    T.__neg__,
    T.mul_,
    T.add_,
    T.div_,
    T.sub_,
    T.clamp,
    T.clamp_,
    T.clamp_min,
    T.clamp_min_,
    torch.exp,
    torch.sqrt,
    torch.abs,
    torch.clamp,
}
_BROADCAST: set[Callable] = {
    torch.add,
    torch.mul,
    torch.sub,
    torch.div,
    T.add,
    T.mul,
    T.sub,
    T.div,
    T.__add__,
    T.__radd__,
    T.__iadd__,
    T.__mul__,
    T.__rmul__,
    T.__imul__,
    T.__sub__,
    T.__rsub__,
    T.__truediv__,
    T.__rtruediv__,
    operator.add,
    operator.mul,
}
_INIT_NOOPS: set[Callable] = {
    T.uniform_,
    T.normal_,
    T.zero_,
    T.fill_,
    T.copy_,
    T.bernoulli_,
    T.random_,
    T.exponential_,
}


class ShapeOnlyMode(TorchFunctionMode):
    """Short-circuits ops whose output shape is obvious; counts MACs of conv and matmul."""

    def __init__(self) -> None:
        super().__init__()
        self.macs = 0

    def __torch_function__(
        self, func: Callable, types: Any, args: Sequence[Any] = (), kwargs: Any = None
    ) -> Any:
        kwargs = kwargs or {}
        if func in _SAME_SHAPE or func in _INIT_NOOPS:
            first = args[0] if args else next(iter(kwargs.values()))
            if isinstance(first, torch.Tensor) and first.device.type == "meta":
                return first
        elif func in _BROADCAST and len(args) == 2:
            a, b = args
            if all(isinstance(v, torch.Tensor) and v.device.type == "meta" for v in (a, b)):
                shape = broadcast(a.shape, b.shape)
                if shape is not None and a.dtype == b.dtype:
                    return torch.empty(shape, dtype=a.dtype, device="meta")
            if (
                isinstance(a, torch.Tensor)
                and a.device.type == "meta"
                and isinstance(b, (int, float))
            ):
                return a
            if (
                isinstance(b, torch.Tensor)
                and b.device.type == "meta"
                and isinstance(a, (int, float))
            ):
                return b
        rule = RULES.get(func)
        shape = rule(args, kwargs) if rule is not None else None
        if shape is not None:
            like = args[0] if args else next(iter(kwargs.values()))
            dtype = like[0].dtype if isinstance(like, (list, tuple)) else like.dtype
            out = torch.empty(shape, dtype=dtype, device="meta")
        else:
            out = func(*args, **kwargs)
        self._count(func, args, kwargs, out)
        return out

    def _count(self, func: Callable, args: Sequence[Any], kwargs: Any, out: Any) -> None:
        if func in (F.conv2d, F.conv1d, F.conv3d, torch.conv2d):
            weight = args[1] if len(args) > 1 else kwargs["weight"]
            self.macs += out.numel() * math.prod(weight.shape[1:])
        elif func in (F.conv_transpose2d, torch.conv_transpose2d):
            weight = args[1] if len(args) > 1 else kwargs["weight"]
            x = args[0]
            # torch counts a transposed conv as the conv it is the gradient of: per input pixel.
            self.macs += x.numel() * math.prod(weight.shape[1:]) * weight.shape[0] // x.shape[1]
        elif func in (F.linear,):
            weight = args[1] if len(args) > 1 else kwargs["weight"]
            self.macs += (out.numel() // weight.shape[0]) * weight.shape[0] * weight.shape[1]
        elif func in (torch.matmul, torch.mm, torch.bmm, T.__matmul__, T.matmul, T.mm, T.bmm):
            self.macs += out.numel() * args[0].shape[-1]


@dataclass(frozen=True)
class Probe:
    """What running a block once on meta tensors tells: output shape, sizes, multiply-adds."""

    out_shape: Shape
    params: int
    params_total: int
    buffers: int
    macs: int


def probe(ctor: Ctor, in_shapes: Sequence[Shape]) -> Probe:
    """Build `ctor` on the meta device and run one sample (batch 1) of `in_shapes` through it."""
    mode = ShapeOnlyMode()
    with torch.device("meta"), mode:
        module = ctor.build()
        module.eval()
        mode.macs = 0
        with torch.no_grad():
            out = module(*[torch.empty((1, *s), device="meta") for s in in_shapes])
    return Probe(
        tuple(out.shape[1:]),
        count_trainable(module),
        count_parameters(module),
        sum(b.numel() for b in module.buffers()),
        mode.macs,
    )


def count_trainable(module: nn.Module) -> int:
    """Number of parameters that require gradients."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def count_parameters(module: nn.Module) -> int:
    """Number of parameters, trainable or not."""
    return sum(p.numel() for p in module.parameters())
