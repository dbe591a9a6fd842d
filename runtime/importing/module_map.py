"""torch.nn leaf modules → catalogue blocks with the exact same parameters (None: no block fits)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

from blocks.spec import Shape

Mapped = tuple[str, dict[str, Any]] | None


def _square(value: Any) -> Any:
    """The single value of a square pair (or the value itself), None when the pair is not square."""
    if isinstance(value, (tuple, list)):
        return value[0] if len(set(value)) == 1 else None
    return value


def _conv(m: nn.Conv2d, shape: Shape) -> Mapped:
    if m.padding_mode != "zeros" or len(shape) != 3:
        return None
    k, s, d = _square(m.kernel_size), _square(m.stride), _square(m.dilation)
    pad = m.padding if isinstance(m.padding, str) else _square(m.padding)
    if None in (k, s, d, pad) or k > 63 or s > 32 or d > 32:
        return None
    if pad == "same" and (d * (k - 1)) % 2:
        return None
    if isinstance(pad, int) and pad > 64:
        return None
    return "conv2d", {
        "out_channels": m.out_channels,
        "kernel_size": k,
        "stride": s,
        "padding": pad,
        "dilation": d,
        "groups": m.groups,
        "bias": m.bias is not None,
    }


def _tconv(m: nn.ConvTranspose2d, shape: Shape) -> Mapped:
    k, s, p, op = (_square(v) for v in (m.kernel_size, m.stride, m.padding, m.output_padding))
    if (
        None in (k, s, p, op)
        or _square(m.dilation) != 1
        or m.groups != 1
        or m.padding_mode != "zeros"
        or len(shape) != 3
        or k > 63
        or s > 32
        or p > 64
        or op >= s
    ):
        return None
    return "transposed_conv", {
        "out_channels": m.out_channels,
        "kernel_size": k,
        "stride": s,
        "padding": p,
        "output_padding": op,
        "bias": m.bias is not None,
    }


def _bn(m: nn.BatchNorm2d, shape: Shape) -> Mapped:
    wanted = 3 if isinstance(m, nn.BatchNorm2d) else 1
    if m.momentum is None or not m.track_running_stats or len(shape) != wanted:
        return None
    return "batch_norm", {"eps": m.eps, "momentum": m.momentum, "affine": m.affine}


def _layer_norm(m: nn.LayerNorm, shape: Shape) -> Mapped:
    if tuple(m.normalized_shape) != tuple(shape):
        return None
    if m.elementwise_affine and getattr(m, "bias", True) is None:
        return None
    return "layer_norm", {"eps": m.eps, "affine": m.elementwise_affine}


def _instance_norm(m: nn.InstanceNorm2d, shape: Shape) -> Mapped:
    if m.track_running_stats or len(shape) != 3:
        return None
    return "instance_norm", {"eps": m.eps, "affine": m.affine}


def _max_pool(m: nn.MaxPool2d, shape: Shape) -> Mapped:
    k, s, p = (
        _square(m.kernel_size),
        _square(m.stride if m.stride is not None else m.kernel_size),
        _square(m.padding),
    )
    if (
        None in (k, s, p)
        or _square(m.dilation) != 1
        or m.return_indices
        or 2 * p > k
        or len(shape) != 3
    ):
        return None
    return "max_pool", {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": m.ceil_mode}


def _avg_pool(m: nn.AvgPool2d, shape: Shape) -> Mapped:
    k, s, p = (
        _square(m.kernel_size),
        _square(m.stride if m.stride is not None else m.kernel_size),
        _square(m.padding),
    )
    if (
        None in (k, s, p)
        or not m.count_include_pad
        or m.divisor_override is not None
        or 2 * p > k
        or len(shape) != 3
    ):
        return None
    return "avg_pool", {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": m.ceil_mode}


def adaptive(block: str, size: Any) -> Mapped:
    """An adaptive pooling block for output size `size` (int or pair; 1 → global average
    pooling)."""
    h, w = (size, size) if not isinstance(size, (tuple, list)) else tuple(size)
    if h is None or w is None:
        return None
    if block == "adaptive_avg_pool" and h == w == 1:
        return "global_avg_pool", {}
    return block, {"output_height": h, "output_width": w}


def _prelu(m: nn.PReLU, shape: Shape) -> Mapped:
    if m.num_parameters == 1:
        return "prelu", {"per_channel": False}
    if shape and m.num_parameters == shape[0]:
        return "prelu", {"per_channel": True}
    return None


def _linear(m: nn.Linear, shape: Shape) -> Mapped:
    if len(shape) != 1:
        return None
    return "linear", {"out_features": m.out_features, "bias": m.bias is not None}


def _zero_pad(m: nn.ZeroPad2d, shape: Shape) -> Mapped:
    pads = set(m.padding) if isinstance(m.padding, (tuple, list)) else {m.padding}
    return ("zero_pad", {"padding": pads.pop()}) if len(pads) == 1 and len(shape) == 3 else None


RULES: dict[type, Callable[[Any, Shape], Mapped]] = {
    nn.Conv2d: _conv,
    nn.ConvTranspose2d: _tconv,
    nn.BatchNorm1d: _bn,
    nn.BatchNorm2d: _bn,
    nn.GroupNorm: lambda m, s: (
        ("group_norm", {"groups": m.num_groups, "eps": m.eps, "affine": m.affine})
        if len(s) == 3
        else None
    ),
    nn.LayerNorm: _layer_norm,
    nn.InstanceNorm2d: _instance_norm,
    nn.LocalResponseNorm: lambda m, s: (
        "local_response_norm",
        {"size": m.size, "alpha": m.alpha, "beta": m.beta, "k": float(m.k)},
    ),
    nn.ReLU: lambda m, s: ("relu", {}),
    nn.ReLU6: lambda m, s: ("relu6", {}),
    nn.LeakyReLU: lambda m, s: ("leaky_relu", {"negative_slope": m.negative_slope}),
    nn.PReLU: _prelu,
    nn.ELU: lambda m, s: ("elu", {"alpha": m.alpha}),
    nn.Sigmoid: lambda m, s: ("sigmoid", {}),
    nn.Tanh: lambda m, s: ("tanh", {}),
    nn.GELU: lambda m, s: ("gelu", {"approximate": m.approximate}),
    nn.SiLU: lambda m, s: ("silu", {}),
    nn.Hardswish: lambda m, s: ("hardswish", {}),
    nn.MaxPool2d: _max_pool,
    nn.AvgPool2d: _avg_pool,
    nn.AdaptiveAvgPool2d: lambda m, s: (
        adaptive("adaptive_avg_pool", m.output_size) if len(s) == 3 else None
    ),
    nn.AdaptiveMaxPool2d: lambda m, s: (
        adaptive("adaptive_max_pool", m.output_size)
        if len(s) == 3 and not m.return_indices
        else None
    ),
    nn.Linear: _linear,
    nn.Dropout: lambda m, s: ("dropout", {"p": m.p}),
    nn.Dropout2d: lambda m, s: ("spatial_dropout", {"p": m.p}) if len(s) == 3 else None,
    nn.Flatten: lambda m, s: ("flatten", {}) if m.start_dim == 1 and m.end_dim == -1 else None,
    nn.Identity: lambda m, s: ("identity", {}),
    nn.ZeroPad2d: _zero_pad,
}
"""Exact module type → rule; subclasses (a user's own Conv2d variant) do not match."""


def block_for_module(module: nn.Module, in_shape: Shape) -> Mapped:
    """The catalogue block and parameters that build the same module, or None."""
    rule = RULES.get(type(module))
    return rule(module, in_shape) if rule else None
