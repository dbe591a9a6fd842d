"""Tables of the functional calls and tensor methods the fx mapper knows: which targets mean the
same op, their signatures (to name positional arguments) and the torch.nn twins of calls that have
no block of their own."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

_RELU = {F.relu, torch.relu, torch.relu_, "relu", "relu_"}
_SIGMOID = {torch.sigmoid, F.sigmoid, "sigmoid", "sigmoid_"}
_TANH = {torch.tanh, F.tanh, "tanh", "tanh_"}
_ADD = {operator.add, operator.iadd, torch.add, "add", "add_"}
_MUL = {operator.mul, operator.imul, torch.mul, "mul", "mul_"}
_CAT = {torch.cat, torch.concat, torch.concatenate}
_VIEW = {"view", "reshape", torch.reshape}
_PASS = {"contiguous", "clone", "detach", torch.clone}
_SIMPLE: dict[Any, str] = {
    F.relu6: "relu6",
    F.silu: "silu",
    F.hardswish: "hardswish",
    "hardswish": "hardswish",
}
_TORCH_NN: dict[Any, Callable[[dict[str, Any]], tuple[str, dict[str, Any]] | None]] = {
    F.softmax: lambda a: ("Softmax", {"dim": a.get("dim")}) if a.get("dim") is not None else None,
    torch.softmax: lambda a: (
        ("Softmax", {"dim": a.get("dim")}) if a.get("dim") is not None else None
    ),
    "softmax": lambda a: ("Softmax", {"dim": a.get("dim")}) if a.get("dim") is not None else None,
    F.hardsigmoid: lambda a: ("Hardsigmoid", {}),
    F.mish: lambda a: ("Mish", {}),
    F.softplus: lambda a: (
        "Softplus",
        {"beta": a.get("beta", 1.0), "threshold": a.get("threshold", 20.0)},
    ),
    F.interpolate: lambda a: (
        "Upsample",
        {
            "size": a.get("size"),
            "scale_factor": a.get("scale_factor"),
            "mode": a.get("mode", "nearest"),
            **({"align_corners": a["align_corners"]} if a.get("align_corners") is not None else {}),
        },
    ),
}
"""Functional calls with no block of their own but a torch.nn module twin (a custom module node)."""


def _arguments(
    target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], names: tuple[str, ...]
) -> dict:
    """Positional and keyword arguments by name, for a call whose signature is `names`."""
    bound = dict(zip(names, args))
    bound.update(kwargs)
    return bound


_SIGNATURES: dict[Any, tuple[str, ...]] = {
    F.leaky_relu: ("input", "negative_slope", "inplace"),
    F.elu: ("input", "alpha", "inplace"),
    F.gelu: ("input", "approximate"),
    F.hardtanh: ("input", "min_val", "max_val", "inplace"),
    F.max_pool2d: (
        "input",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "ceil_mode",
        "return_indices",
    ),
    F.avg_pool2d: (
        "input",
        "kernel_size",
        "stride",
        "padding",
        "ceil_mode",
        "count_include_pad",
        "divisor_override",
    ),
    F.adaptive_avg_pool2d: ("input", "output_size"),
    F.adaptive_max_pool2d: ("input", "output_size", "return_indices"),
    F.dropout: ("input", "p", "training", "inplace"),
    F.dropout2d: ("input", "p", "training", "inplace"),
    F.pad: ("input", "pad", "mode", "value"),
    F.softmax: ("input", "dim", "_stacklevel", "dtype"),
    torch.softmax: ("input", "dim", "dtype"),
    "softmax": ("self", "dim"),
    F.softplus: ("input", "beta", "threshold"),
    F.interpolate: ("input", "size", "scale_factor", "mode", "align_corners"),
    torch.flatten: ("input", "start_dim", "end_dim"),
    "flatten": ("self", "start_dim", "end_dim"),
    "mean": ("self", "dim", "keepdim"),
    torch.mean: ("input", "dim", "keepdim"),
    "chunk": ("self", "chunks", "dim"),
    torch.chunk: ("input", "chunks", "dim"),
    "split": ("self", "split_size", "dim"),
    torch.split: ("tensor", "split_size_or_sections", "dim"),
    "transpose": ("self", "dim0", "dim1"),
    torch.transpose: ("input", "dim0", "dim1"),
    torch.cat: ("tensors", "dim"),
    torch.concat: ("tensors", "dim"),
    torch.concatenate: ("tensors", "dim"),
}
"""Parameter names of the calls whose arguments the mapper reads, in positional order."""
