"""The one registry of block specs: register once, look up by id or alias."""

from __future__ import annotations

from typing import Callable

from blocks.errors import DuplicateBlockError, UnknownBlockIdError
from blocks.spec import BlockSpec

_SPECS: dict[str, BlockSpec] = {}
_ALIASES: dict[str, str] = {}

CATEGORIES: tuple[str, ...] = (
    "Input/Output",
    "Convolution",
    "Normalization",
    "Pooling",
    "Activation",
    "Regularization & shape",
    "Merge",
    "Blocks",
    "My blocks",
)
"""Palette categories, in display order."""


def register(spec: BlockSpec) -> BlockSpec:
    """Add `spec` to the catalogue; refuses an id or alias already taken."""
    if spec.category not in CATEGORIES:
        raise DuplicateBlockError(f"block '{spec.id}' has unknown category '{spec.category}'")
    for name in (spec.id, *spec.aliases):
        if name in _SPECS or name in _ALIASES:
            raise DuplicateBlockError(f"block id '{name}' is registered twice")
    _SPECS[spec.id] = spec
    for alias in spec.aliases:
        _ALIASES[alias] = spec.id
    return spec


def block(**fields: object) -> Callable[[Callable], BlockSpec]:
    """Decorator: turn a `make(params, in_shapes) -> Ctor` function into a registered spec."""

    def wrap(make: Callable) -> BlockSpec:
        return register(
            BlockSpec(make=make, explanation=" ".join((make.__doc__ or "").split()), **fields)
        )

    return wrap


def unregister(block_id: str) -> None:
    """Remove the spec `block_id` (a user's own block that was deleted, renamed or reloaded)."""
    spec = _SPECS.pop(block_id, None)
    if spec is not None:
        for alias in spec.aliases:
            _ALIASES.pop(alias, None)


def is_registered(block_id: str) -> bool:
    """True when `block_id` is a registered id or alias."""
    return block_id in _SPECS or block_id in _ALIASES


def get_spec(block_id: str) -> BlockSpec:
    """The spec with id (or old alias) `block_id`."""
    spec = _SPECS.get(block_id) or _SPECS.get(_ALIASES.get(block_id, ""))
    if spec is None:
        raise UnknownBlockIdError(block_id)
    return spec


def all_specs() -> list[BlockSpec]:
    """Every registered spec, in category then registration order."""
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(_SPECS.values(), key=lambda s: order[s.category])
