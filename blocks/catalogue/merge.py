"""Merge blocks: Add, Concat, Multiply; any number of inputs."""

from __future__ import annotations

from typing import Sequence

from blocks.catalogue._common import fmt_shape
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import Ctor, Shape

merge_modules = lazy("blocks.modules.merge")

CAT = "Merge"


def _listing(shapes: Sequence[Shape]) -> str:
    texts = [fmt_shape(s) for s in shapes]
    return ", ".join(texts[:-1]) + " and " + texts[-1]


def _add_check(p, shapes: Sequence[Shape]) -> str | None:
    first = shapes[0]
    for other in shapes[1:]:
        if other == first:
            continue
        head = f"gets {_listing(shapes)}"
        if len(first) != len(other):
            return f"{head}: inputs must all be feature maps or all be vectors"
        if len(first) == 3:
            big, small = (first, other) if first[1] >= other[1] else (other, first)
            if small[1] and big[1] % small[1] == 0 and big[2] % max(small[2], 1) == 0:
                s = big[1] // small[1]
                if s > 1:
                    return (
                        f"{head}: the shortcut needs a 1×1 conv with stride {s} to {small[0]} "
                        f"channels (a projection) on the {fmt_shape(big)} input"
                    )
                return (
                    f"{head}: the shortcut needs a 1×1 conv from {other[0]} to {first[0]} channels "
                    "so the channels match"
                )
        return f"{head}: Add needs identical shapes"
    return None


def _concat_check(p, shapes: Sequence[Shape]) -> str | None:
    first = shapes[0]
    for other in shapes[1:]:
        if len(other) != len(first):
            return f"gets {_listing(shapes)}: inputs must all be feature maps or all be vectors"
        if other[1:] != first[1:]:
            return (
                f"gets {_listing(shapes)}: concatenation along channels needs equal spatial sizes; "
                "resize one branch (pooling, stride or padding)"
            )
    return None


def _mul_check(p, shapes: Sequence[Shape]) -> str | None:
    out = list(shapes[0])
    for other in shapes[1:]:
        if len(other) != len(out):
            return f"gets {_listing(shapes)}: inputs must have the same number of dimensions"
        for i, (a, b) in enumerate(zip(out, other)):
            if a != b and 1 not in (a, b):
                return (
                    f"gets {_listing(shapes)}: sizes must match or be 1 for broadcasting "
                    "(e.g. a C×1×1 gate times a C×H×W map)"
                )
            out[i] = max(a, b)
    return None


@block(
    id="add",
    title="Add",
    category=CAT,
    min_inputs=2,
    max_inputs=None,
    check=_add_check,
    summary=lambda p: "+",
)
def add(p, shapes):
    """Element-wise sum; all inputs must have the same shape. The merge of every residual
    connection: the gradient reaches the shortcut unchanged, which lets very deep networks train
    (ResNet)."""
    return Ctor(merge_modules.Add)


@block(
    id="concat",
    title="Concat",
    category=CAT,
    min_inputs=2,
    max_inputs=None,
    check=_concat_check,
    summary=lambda p: "‖",
)
def concat(p, shapes):
    """Stacks inputs along the channel axis; spatial sizes must match. Joins the branches of an
    Inception module and the layers of a dense block."""
    return Ctor(merge_modules.Concat)


@block(
    id="multiply",
    title="Multiply",
    category=CAT,
    min_inputs=2,
    max_inputs=None,
    check=_mul_check,
    summary=lambda p: "×",
)
def multiply(p, shapes):
    """Element-wise product with broadcasting: a C×1×1 gate rescales a C×H×W map channel by channel
    (squeeze-excitation, highway and attention gates)."""
    return Ctor(merge_modules.Multiply)
