"""Declarative description of a block type: parameters, ports and how to build it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from blocks.errors import ParamValueError
from blocks.params import ParamSpec

if TYPE_CHECKING:  # torch loads when a module is first built, not when the catalogue is read
    from torch import nn

Shape = tuple[int, ...]
"""A tensor shape without the batch dimension, e.g. (C, H, W) or (features,)."""

Params = Mapping[str, Any]

__all__ = ["BlockSpec", "Ctor", "ParamSpec", "Params", "Shape", "SubGraph", "SUB_INPUT"]


@dataclass(frozen=True)
class Ctor:
    """A module constructor call: built by compile, rendered as source by export."""

    cls: type[nn.Module]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def build(self) -> nn.Module:
        """Instantiate the module (nested Ctors first)."""
        args = [_build_value(a) for a in self.args]
        kwargs = {k: _build_value(v) for k, v in self.kwargs.items()}
        return self.cls(*args, **kwargs)

    def render(self) -> str:
        """Python source that constructs the same module, e.g. `nn.Conv2d(3, 64, kernel_size=3)`."""
        parts = [_render_value(a) for a in self.args]
        parts += [f"{k}={_render_value(v)}" for k, v in self.kwargs.items()]
        return f"{class_reference(self.cls)}({', '.join(parts)})"

    def classes(self) -> list[type[nn.Module]]:
        """Every module class this constructor (and its nested ones) names."""
        found = [self.cls]
        for value in list(self.args) + list(self.kwargs.values()):
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, Ctor):
                    found += item.classes()
        return found


def class_reference(cls: type) -> str:
    """How exported code names a class: `nn.X` for torch.nn, the bare name for ours."""
    if cls.__module__.startswith("torch.nn"):
        return f"nn.{cls.__name__}"
    return cls.__name__


def _build_value(value: Any) -> Any:
    if isinstance(value, Ctor):
        return value.build()
    if isinstance(value, list):
        return [_build_value(v) for v in value]
    return value


def _render_value(value: Any) -> str:
    if isinstance(value, Ctor):
        return value.render()
    if isinstance(value, list):
        return "[" + ", ".join(_render_value(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_render_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return repr(value)


RfLayers = Sequence[tuple[int, int]]
"""Receptive-field description: the (effective kernel, stride) of each layer on the longest path."""

GLOBAL_RF: RfLayers = ((-1, 1),)
"""Marker: the block sees its whole input (global pooling, flatten, linear)."""


SUB_INPUT = "<input>"
"""In a SubGraph's edges, the source that stands for the composite block's own input."""


@dataclass(frozen=True)
class SubNode:
    """One primitive node of an expanded composite: a local name, a block id and its parameters."""

    name: str
    block: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SubGraph:
    """What a composite block is made of, in primitive blocks.

    `edges` are (source, destination) local names, SUB_INPUT standing for the composite's input;
    the edges into one destination are listed in port order. `output` is the local node whose
    output is the composite's output. `weights` maps each prefix of the composite module's
    state_dict (e.g. "downsample.0") to the local node whose module holds those tensors.
    """

    nodes: tuple[SubNode, ...]
    edges: tuple[tuple[str, str], ...]
    output: str
    weights: Mapping[str, str] = field(default_factory=dict)

    def key_map(self, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """For each composite state_dict key, the (local node, key inside its module) it moves
        to."""
        mapped = {}
        for key in keys:
            prefix = max(
                (p for p in self.weights if key.startswith(p + ".")), key=len, default=None
            )
            if prefix is None:
                raise KeyError(f"state_dict key '{key}' has no place in the expansion")
            mapped[key] = (self.weights[prefix], key[len(prefix) + 1 :])
        return mapped


@dataclass(frozen=True)
class BlockSpec:
    """Everything the product knows about one block type, declared once."""

    id: str
    title: str
    category: str
    explanation: str
    make: Callable[[Params, Sequence[Shape]], Ctor]
    params: tuple[ParamSpec, ...] = ()
    min_inputs: int = 1
    max_inputs: int | None = 1
    summary: Callable[[Params], str] | None = None
    receptive: Callable[[Params], RfLayers] | None = None
    check: Callable[[Params, Sequence[Shape]], str | None] | None = None
    aliases: tuple[str, ...] = ()
    composite: bool = False
    expand: Callable[[Params, Sequence[Shape]], SubGraph] | None = None
    short_title: str = ""
    """What the node on the canvas shows when `title` is too long for it (the palette and the
    node's tooltip keep the full title)."""

    @property
    def node_title(self) -> str:
        """The title written on a canvas node: the short one where there is one."""
        return self.short_title or self.title

    @property
    def variadic(self) -> bool:
        """True for merge blocks that take any number (≥ min_inputs) of inputs."""
        return self.max_inputs is None

    def param(self, name: str) -> ParamSpec:
        """The ParamSpec called `name`."""
        for p in self.params:
            if p.name == name:
                return p
        raise ParamValueError(name, f"'{self.title}' has no parameter '{name}'")

    def defaults(self) -> dict[str, Any]:
        """A fresh dict of every parameter's default value."""
        return {p.name: p.default for p in self.params}

    def resolve(self, given: Params) -> dict[str, Any]:
        """Defaults overlaid with `given`, every value coerced; unknown names are refused."""
        names = {p.name for p in self.params}
        for name in given:
            if name not in names:
                raise ParamValueError(name, f"'{self.title}' has no parameter '{name}'")
        return {p.name: p.coerce(given.get(p.name, p.default)) for p in self.params}

    def describe(self, params: Params) -> str:
        """One-line summary of the key parameters, e.g. '64 @ 3×3 /2'."""
        return self.summary(params) if self.summary else ""

    def rf_layers(self, params: Params) -> RfLayers:
        """(kernel, stride) pairs along the longest path, for receptive-field analysis."""
        return self.receptive(params) if self.receptive else ((1, 1),)
