"""What the fx mapper produces and passes around: imported nodes, the error for an op with no
block, the values fx nodes map to (tensors, constants, half-folded patterns), and small helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import fx


@dataclass
class ImportedNode:
    """One node of the imported graph before it becomes a Graph node."""

    key: str
    block: str
    params: dict[str, Any]
    inputs: list[str]
    context: str
    module_path: str | None = None
    consumers: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Unmappable(Exception):
    """An fx node with no block; `context` is the innermost module path it lies in ('' at top
    level)."""

    def __init__(self, node: fx.Node, context: str, what: str) -> None:
        super().__init__(what)
        self.node = node
        self.context = context
        self.what = what


@dataclass(frozen=True)
class _Tensor:
    """A mapped tensor: the key of the imported node that produces it."""

    key: str


@dataclass(frozen=True)
class _Const:
    """A plain Python value (size, number, string) known at trace time."""

    value: Any


@dataclass(frozen=True)
class _Shuffle:
    """A channel shuffle under way: viewed into `groups`, then (once `transposed`) swapped."""

    src: str
    groups: int
    transposed: bool


@dataclass(frozen=True)
class _Chunks:
    """The result of chunk/split along channels, before one part is picked by indexing."""

    src: str
    parts: int


def _square(value: Any) -> Any:
    """The one side of a square size (an int or equal pair); None when the sides differ."""
    if isinstance(value, (tuple, list)):
        return value[0] if len(set(value)) == 1 else None
    return value


def _plain(value: Any) -> Any:
    """`value` when it is plain Python data (nested lists/tuples too); TypeError otherwise."""
    if isinstance(value, (int, float, bool, str, type(None), slice, torch.Size)):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    raise TypeError(type(value).__name__)


def _describe(target: Any) -> str:
    """How a call target reads in a message (F.name, torch.name, the tensor method .name())."""
    if isinstance(target, str):
        return f"the tensor method .{target}()"
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", str(target))
    if module.startswith("torch.nn.functional"):
        return f"F.{name}"
    if module.startswith("torch") or module in ("", "builtins"):
        return f"torch.{name}" if module.startswith("torch") else name
    if module == "_operator":
        return f"the operator {name}"
    return f"{module}.{name}"
