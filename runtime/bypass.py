"""Bypassed nodes: a node marked so runs as the identity (ablation without retraining).

The mark lives in the node's saved extras, so it is saved, undone and redone like any edit. A node
can
be bypassed where the identity fits: one input whose shape equals the node's output shape."""

from __future__ import annotations

from typing import Sequence

from runtime.graph import Node

BYPASS_KEY = "bypassed"
"""The key of a node's extras that marks it bypassed."""

Shape = tuple[int, ...]


def is_bypassed(node: Node) -> bool:
    """Whether `node` is marked to run as the identity."""
    return bool(node.extra.get(BYPASS_KEY))


def bypass_problem(label: str, in_shapes: Sequence[Shape], out_shape: Shape) -> str | None:
    """Why the node called `label` cannot run as the identity, or None when it can."""
    if len(in_shapes) != 1:
        return (
            f"{label} cannot be bypassed: it has {len(in_shapes)} inputs (the identity takes one)"
        )
    if tuple(in_shapes[0]) != tuple(out_shape):
        shape_in = "×".join(map(str, in_shapes[0]))
        shape_out = "×".join(map(str, out_shape))
        return (
            f"{label} cannot be bypassed: it turns {shape_in} into {shape_out}, "
            f"so the identity does not fit; remove the bypass"
        )
    return None
