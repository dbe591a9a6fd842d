"""The user blocks this process knows: registered in the catalogue, with their definitions.

A block stays registered once installed (placed copies in an open project keep working after the
library file is deleted); installing a changed definition under a taken id replaces the spec only
when the network is the same (a rename), otherwise the caller picks another id.
"""

from __future__ import annotations

from pathlib import Path

from blocks import get_spec
from blocks.registry import is_registered, register, unregister
from runtime.userblocks.definition import CATEGORY, UserBlockDef, UserBlockError
from runtime.userblocks.spec import block_spec

_DEFINITIONS: dict[str, UserBlockDef] = {}


def definition_of(block_id: str) -> UserBlockDef | None:
    """The definition of user block `block_id`, or None for a built-in (or unknown) block."""
    return _DEFINITIONS.get(block_id)


def installed_ids() -> list[str]:
    """Ids of every installed user block, in installation order."""
    return list(_DEFINITIONS)


def is_user_block(block_id: str) -> bool:
    """True when `block_id` is an installed user block."""
    return block_id in _DEFINITIONS


def install(definition: UserBlockDef, where: Path | None = None) -> UserBlockDef:
    """Register `definition` (its inner user blocks must be installed already).

    Re-installing the same network under the same id updates its name and description; a
    different network under an installed id is refused with UserBlockError.
    """
    for used in sorted(definition.uses()):
        if used not in _DEFINITIONS:
            raise UserBlockError(where, f"uses the block '{used}', which is not in your library")
    known = _DEFINITIONS.get(definition.id)
    if known is not None and not known.same_network(definition):
        raise UserBlockError(
            where, f"another block already has the id '{definition.id}' with different layers"
        )
    if is_registered(definition.id):
        if get_spec(definition.id).category != CATEGORY:
            raise UserBlockError(where, f"'{definition.id}' is the id of a built-in block")
        unregister(definition.id)
    register(block_spec(definition))
    _DEFINITIONS[definition.id] = definition
    return definition


def uninstall(block_id: str) -> None:
    """Forget user block `block_id` (tests; the app keeps blocks installed for its lifetime)."""
    if _DEFINITIONS.pop(block_id, None) is not None:
        unregister(block_id)


def free_id(wanted: str) -> str:
    """`wanted` when no block has it, else `wanted_2`, `wanted_3`, …"""
    candidate, n = wanted, 2
    while is_registered(candidate):
        candidate, n = f"{wanted}_{n}", n + 1
    return candidate


def with_dependencies(block_ids: set[str]) -> list[UserBlockDef]:
    """Definitions of the given user blocks and the user blocks inside them, inner ones first."""
    ordered: list[UserBlockDef] = []

    def visit(block_id: str, seen: frozenset[str]) -> None:
        definition = _DEFINITIONS.get(block_id)
        if definition is None or definition in ordered or block_id in seen:
            return
        for used in sorted(definition.uses()):
            visit(used, seen | {block_id})
        ordered.append(definition)

    for block_id in sorted(block_ids):
        visit(block_id, frozenset())
    return ordered
