"""Output shapes of the common layer ops, computed from their arguments instead of by a meta kernel.

The first meta-device kernel a process runs imports sympy and torch._dynamo (0.3–1 s), and every
meta kernel goes through Python references. For the ops every network uses (convolution, linear,
pooling, concatenation) these rules give the output shape directly. A rule returns None whenever
its arguments are anything but plainly valid, so torch itself runs and raises its own message:
the rules never decide that a wiring is wrong, they only skip work for wirings that are right.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F

Shape = tuple[int, ...]
Rule = Callable[[Sequence[Any], dict[str, Any]], "Shape | None"]


def _arg(args: Sequence[Any], kwargs: dict[str, Any], index: int, name: str, default: Any) -> Any:
    """The argument at position `index` or keyword `name`."""
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def _tuple(value: Any, n: int) -> tuple[int, ...] | None:
    """`value` as n ints (an int repeats), or None when it is not that."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value,) * n
    if isinstance(value, (tuple, list)) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        if len(value) == n:
            return tuple(value)
        if len(value) == 1:
            return (value[0],) * n
    return None


def _meta(*tensors: Any) -> bool:
    """True when every argument is a tensor on the meta device."""
    return all(isinstance(t, torch.Tensor) and t.device.type == "meta" for t in tensors)


def conv(args: Sequence[Any], kwargs: dict[str, Any]) -> Shape | None:
    """torch.conv1d/2d/3d(input, weight, bias, stride, padding, dilation, groups)."""
    x, w = _arg(args, kwargs, 0, "input", None), _arg(args, kwargs, 1, "weight", None)
    bias = _arg(args, kwargs, 2, "bias", None)
    if not _meta(x, w) or x.dim() != w.dim() or w.dim() < 3:
        return None
    n = w.dim() - 2
    groups = _arg(args, kwargs, 6, "groups", 1)
    stride, dilation = (
        _tuple(_arg(args, kwargs, 3, "stride", 1), n),
        _tuple(_arg(args, kwargs, 5, "dilation", 1), n),
    )
    padding_arg = _arg(args, kwargs, 4, "padding", 0)
    if stride is None or dilation is None or not isinstance(groups, int) or groups < 1:
        return None
    if (
        min(stride) < 1
        or min(dilation) < 1
        or x.shape[1] != w.shape[1] * groups
        or w.shape[0] % groups
    ):
        return None
    if bias is not None and (not _meta(bias) or tuple(bias.shape) != (w.shape[0],)):
        return None
    spatial: list[int] = []
    for i in range(n):
        size, k, s, d = x.shape[2 + i], w.shape[2 + i], stride[i], dilation[i]
        span = d * (k - 1) + 1
        if padding_arg == "same":
            if s != 1:
                return None
            spatial.append(size)
            continue
        pad = (0,) * n if padding_arg == "valid" else _tuple(padding_arg, n)
        if pad is None or pad[i] < 0 or size + 2 * pad[i] < span:
            return None
        spatial.append((size + 2 * pad[i] - span) // s + 1)
    return (x.shape[0], w.shape[0], *spatial)


def conv_transpose(args: Sequence[Any], kwargs: dict[str, Any]) -> Shape | None:
    """torch.conv_transpose1d/2d/3d(input, weight, bias, stride, padding, output_padding, groups,
    dilation)."""
    x, w = _arg(args, kwargs, 0, "input", None), _arg(args, kwargs, 1, "weight", None)
    bias = _arg(args, kwargs, 2, "bias", None)
    if not _meta(x, w) or x.dim() != w.dim() or w.dim() < 3:
        return None
    n = w.dim() - 2
    stride, pad = (
        _tuple(_arg(args, kwargs, 3, "stride", 1), n),
        _tuple(_arg(args, kwargs, 4, "padding", 0), n),
    )
    out_pad = _tuple(_arg(args, kwargs, 5, "output_padding", 0), n)
    groups, dilation = (
        _arg(args, kwargs, 6, "groups", 1),
        _tuple(_arg(args, kwargs, 7, "dilation", 1), n),
    )
    if None in (stride, pad, out_pad, dilation) or not isinstance(groups, int) or groups < 1:
        return None
    if x.shape[1] != w.shape[0] or w.shape[0] % groups:
        return None
    if bias is not None and (not _meta(bias) or tuple(bias.shape) != (w.shape[1] * groups,)):
        return None
    spatial: list[int] = []
    for i in range(n):
        s, p, op, d = stride[i], pad[i], out_pad[i], dilation[i]
        if s < 1 or d < 1 or p < 0 or op < 0 or op >= max(s, d):
            return None
        size = (x.shape[2 + i] - 1) * s - 2 * p + d * (w.shape[2 + i] - 1) + op + 1
        if size < 1:
            return None
        spatial.append(size)
    return (x.shape[0], w.shape[1] * groups, *spatial)


def linear(args: Sequence[Any], kwargs: dict[str, Any]) -> Shape | None:
    """F.linear(input, weight, bias)."""
    x, w = _arg(args, kwargs, 0, "input", None), _arg(args, kwargs, 1, "weight", None)
    bias = _arg(args, kwargs, 2, "bias", None)
    if not _meta(x, w) or w.dim() != 2 or x.dim() < 1 or x.shape[-1] != w.shape[1]:
        return None
    if bias is not None and (not _meta(bias) or tuple(bias.shape) != (w.shape[0],)):
        return None
    return (*x.shape[:-1], w.shape[0])


def _pool_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int | None:
    """torch's pooling_output_shape, or None where torch would refuse."""
    if k < 1 or s < 1 or d < 1 or p < 0 or p > k // 2:
        return None
    top = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    if top < 0:
        return None
    out = top // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out if out >= 1 else None


def _pool2d(args: Sequence[Any], kwargs: dict[str, Any], with_dilation: bool) -> Shape | None:
    """Shared by max and average 2-d pooling (batched 4-d input only)."""
    x = _arg(args, kwargs, 0, "input", None)
    if not _meta(x) or x.dim() != 4:
        return None
    kernel = _tuple(_arg(args, kwargs, 1, "kernel_size", None), 2)
    stride_arg = _arg(args, kwargs, 2, "stride", None)
    stride = (
        kernel
        if stride_arg is None or stride_arg == [] or stride_arg == ()
        else _tuple(stride_arg, 2)
    )
    pad = _tuple(_arg(args, kwargs, 3, "padding", 0), 2)
    if with_dilation:
        dilation = _tuple(_arg(args, kwargs, 4, "dilation", 1), 2)
        ceil_mode = _arg(args, kwargs, 5, "ceil_mode", False)
        if _arg(args, kwargs, 6, "return_indices", False):
            return None
    else:
        dilation = (1, 1)
        ceil_mode = _arg(args, kwargs, 4, "ceil_mode", False)
    if None in (kernel, stride, pad, dilation) or not isinstance(ceil_mode, bool):
        return None
    sizes = [
        _pool_size(x.shape[2 + i], kernel[i], stride[i], pad[i], dilation[i], ceil_mode)
        for i in range(2)
    ]
    if None in sizes:
        return None
    return (x.shape[0], x.shape[1], *sizes)  # type: ignore[return-value]


def max_pool2d(args: Sequence[Any], kwargs: dict[str, Any]) -> Shape | None:
    """F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)."""
    return _pool2d(args, kwargs, with_dilation=True)


def avg_pool2d(args: Sequence[Any], kwargs: dict[str, Any]) -> Shape | None:
    """F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
    divisor_override)."""
    return _pool2d(args, kwargs, with_dilation=False)


def adaptive_pool2d(args: Sequence[Any], kwargs: dict[str, Any]) -> Shape | None:
    """F.adaptive_avg_pool2d(input, output_size); a None in output_size keeps that input size."""
    x = _arg(args, kwargs, 0, "input", None)
    size = _arg(args, kwargs, 1, "output_size", None)
    if not _meta(x) or x.dim() != 4 or min(x.shape[2:]) < 1:
        return None
    if isinstance(size, int) and not isinstance(size, bool):
        size = (size, size)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        return None
    out = tuple(x.shape[2 + i] if v is None else v for i, v in enumerate(size))
    if not all(isinstance(v, int) and v >= 1 for v in out):
        return None
    return (x.shape[0], x.shape[1], *out)


def cat(args: Sequence[Any], kwargs: dict[str, Any]) -> Shape | None:
    """torch.cat(tensors, dim): equal shapes except along `dim`."""
    tensors, dim = _arg(args, kwargs, 0, "tensors", None), _arg(args, kwargs, 1, "dim", 0)
    if (
        "out" in kwargs
        or not isinstance(tensors, (list, tuple))
        or not tensors
        or not _meta(*tensors)
    ):
        return None
    if not isinstance(dim, int) or isinstance(dim, bool):
        return None
    rank = tensors[0].dim()
    if rank == 0 or not -rank <= dim < rank or any(t.dim() != rank for t in tensors):
        return None
    dim %= rank
    first = tensors[0].shape
    if any(t.shape[i] != first[i] for t in tensors for i in range(rank) if i != dim):
        return None
    if len({t.dtype for t in tensors}) != 1:
        return None
    return (*first[:dim], sum(t.shape[dim] for t in tensors), *first[dim + 1 :])


def broadcast(a: Sequence[int], b: Sequence[int]) -> Shape | None:
    """The broadcast of two shapes (numpy rules), or None when they do not broadcast."""
    if tuple(a) == tuple(b):
        return tuple(a)
    out: list[int] = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            return None
        out.append(y if x == 1 else x)
    return tuple(reversed(out))


RULES: dict[Callable, Rule] = {
    torch.conv1d: conv,
    torch.conv2d: conv,
    torch.conv3d: conv,
    F.conv1d: conv,
    F.conv2d: conv,
    F.conv3d: conv,
    torch.conv_transpose1d: conv_transpose,
    torch.conv_transpose2d: conv_transpose,
    torch.conv_transpose3d: conv_transpose,
    F.linear: linear,
    F.max_pool2d: max_pool2d,
    torch.max_pool2d: max_pool2d,
    F.avg_pool2d: avg_pool2d,
    torch._C._nn.avg_pool2d: avg_pool2d,
    F.adaptive_avg_pool2d: adaptive_pool2d,
    torch.cat: cat,
    torch.concat: cat,
    torch.concatenate: cat,
}


def rule_for(func: Callable) -> Rule | None:
    """The shape rule for `func`, if there is one."""
    return RULES.get(func)


def output_shape(func: Callable, args: Sequence[Any], kwargs: dict[str, Any]) -> Shape | None:
    """The output shape of `func(*args, **kwargs)` when a rule knows it for sure, else None."""
    rule = RULES.get(func)
    return None if rule is None else rule(args, kwargs)
