"""Shared helpers for block specs: parameter shorthands, shape checks, formatting."""

from __future__ import annotations

from typing import Sequence

from blocks.errors import ShapeMismatchError
from blocks.spec import ParamSpec, Params, Shape


def fmt_shape(shape: Shape) -> str:
    """'64×32×32' for a shape without batch dimension (also public as blocks.format_shape)."""
    return "×".join(str(d) for d in shape)


def int_param(name: str, default: int, help: str, lo: int = 1, hi: int = 65536) -> ParamSpec:
    """A bounded integer parameter."""
    return ParamSpec(name, "int", default, help, lo, hi)


def float_param(
    name: str, default: float, help: str, lo: float | None = None, hi: float | None = None
) -> ParamSpec:
    """A bounded float parameter."""
    return ParamSpec(name, "float", default, help, lo, hi)


def bool_param(name: str, default: bool, help: str) -> ParamSpec:
    """A true/false parameter."""
    return ParamSpec(name, "bool", default, help)


def choice_param(name: str, default: str, choices: Sequence[str], help: str) -> ParamSpec:
    """A parameter taking one of a few named values."""
    return ParamSpec(name, "choice", default, help, choices=tuple(choices))


def out_channels(default: int = 64) -> ParamSpec:
    """The usual 'out_channels' parameter."""
    return int_param("out_channels", default, "Number of output channels (filters).", 1, 16384)


def kernel(default: int = 3, name: str = "kernel_size") -> ParamSpec:
    """A square kernel size."""
    return int_param(name, default, "Side of the square kernel, in pixels.", 1, 63)


def stride(default: int = 1) -> ParamSpec:
    """A stride (subsampling factor)."""
    return int_param(
        "stride", default, "Step between kernel positions; 2 halves the resolution.", 1, 32
    )


def padding(default: int | str = "same") -> ParamSpec:
    """Zero padding: a number of pixels, 'same' (keeps size at stride 1) or 'valid' (none)."""
    return ParamSpec(
        "padding",
        "padding",
        default,
        "Zero pixels added on each side: a number, 'same' (d·(k−1)/2) or 'valid' (0).",
        0,
        64,
    )


def dilation(default: int = 1) -> ParamSpec:
    """A dilation (hole) factor."""
    return int_param(
        "dilation",
        default,
        "Spacing between kernel taps; grows the receptive field for free.",
        1,
        32,
    )


def bias(default: bool = True) -> ParamSpec:
    """Whether a layer has a learnable bias."""
    return bool_param(
        "bias", default, "Learnable bias per output channel (redundant before BatchNorm)."
    )


def effective_kernel(k: int, d: int) -> int:
    """k_eff = d·(k−1)+1."""
    return d * (k - 1) + 1


def resolve_padding(p: Params, k: int | None = None, d: int | None = None) -> int:
    """The integer padding that `p['padding']` means for kernel k and dilation d."""
    k = p["kernel_size"] if k is None else k
    d = p.get("dilation", 1) if d is None else d
    value = p["padding"]
    if value == "valid":
        return 0
    if value == "same":
        return (effective_kernel(k, d) - 1) // 2
    return int(value)


def image(in_shapes: Sequence[Shape], what: str = "a C×H×W feature map") -> Shape:
    """The single C×H×W input, or ShapeMismatchError saying what arrived instead."""
    shape = in_shapes[0]
    if len(shape) != 3:
        raise ShapeMismatchError(
            f"expects {what} but gets a flat vector of {fmt_shape(shape)} features: "
            "move it before the Flatten / Linear layers"
        )
    return shape


def same_padding_check(p: Params) -> str | None:
    """Refuse 'same' padding with an even effective kernel (it would need uneven padding)."""
    if (
        p.get("padding") == "same"
        and effective_kernel(p["kernel_size"], p.get("dilation", 1)) % 2 == 0
    ):
        return (
            "'same' padding needs an odd kernel (or dilation making it odd): use a number instead"
        )
    return None


def spatial_check(in_shapes: Sequence[Shape], k_eff: int, pad: int) -> str | None:
    """Message when the padded input is smaller than the kernel, else None."""
    _, h, w = image(in_shapes)
    if min(h, w) + 2 * pad < k_eff:
        return (
            f"gets {h}×{w}, smaller than its {k_eff}×{k_eff} kernel even with padding {pad}: "
            "use a smaller kernel, more padding, or remove a downsampling layer before it"
        )
    return None


def group_check(c_in: int, c_out: int, groups: int) -> str | None:
    """Message when channel counts are not divisible by the groups, else None."""
    if c_in % groups:
        return (
            f"has {c_in} input channels, not divisible by groups={groups}: "
            f"choose groups dividing {c_in}"
        )
    if c_out % groups:
        return (
            f"has {c_out} output channels, not divisible by groups={groups}: choose "
            f"out_channels divisible by {groups}"
        )
    return None


def first_error(*messages: str | None) -> str | None:
    """The first non-empty message."""
    return next((m for m in messages if m), None)
