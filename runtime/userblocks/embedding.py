"""User blocks travel inside the project file that uses them, so it opens on any machine.

Saving embeds the definition of every user block the graph uses (and of the user blocks inside
those). Opening installs each embedded definition; one whose id is taken by a different network
(another machine's block of the same name) is installed under a free id and the project's nodes
are pointed at it, so the project computes exactly what it computed when it was saved.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from runtime.graph import Graph
from runtime.userblocks import installed
from runtime.userblocks.definition import UserBlockDef, UserBlockError, parse_definition

KEY = "user_blocks"
"""The project file key that holds the embedded definitions."""
MAX_EMBEDDED = 200


def embedded_blocks(graph: Graph) -> list[dict[str, Any]]:
    """The JSON documents of the user blocks `graph` uses, inner blocks first."""
    used = {node.block for node in graph.nodes.values() if installed.is_user_block(node.block)}
    return [d.to_dict() for d in installed.with_dependencies(used)]


def install_embedded(doc: dict[str, Any], path: str | Path | None) -> dict[str, Any]:
    """Install the project's embedded blocks; the document, its block ids remapped where an id
    was taken by a different block. ProjectFileError (a UserBlockError) names the bad one."""
    raw = doc.get(KEY)
    if raw is None:
        return doc
    where = Path(path) if path is not None else None
    if not isinstance(raw, list) or len(raw) > MAX_EMBEDDED:
        raise UserBlockError(where, f"'{KEY}' must be a list of at most {MAX_EMBEDDED} blocks")
    renamed: dict[str, str] = {}
    for i, entry in enumerate(raw):
        entry = _remapped(entry, renamed)
        try:
            definition = parse_definition(entry, None)
        except UserBlockError as exc:
            raise UserBlockError(where, f"{KEY}[{i}]: {exc.message}") from None
        target = _home(definition)
        if target != definition.id:
            renamed[definition.id] = target
            definition = _with_id(definition, target)
        known = installed.definition_of(definition.id)
        if known is not None and known.same_network(definition):
            continue  # the installed block (say, the library's, perhaps renamed) stays as it is
        try:
            installed.install(definition, None)
        except UserBlockError as exc:
            raise UserBlockError(where, f"block '{definition.name}': {exc.message}") from None
    if not renamed:
        return doc
    out = dict(doc)
    out["nodes"] = [_remapped(node, renamed) for node in doc.get("nodes", [])]
    return out


def _home(definition: UserBlockDef) -> str:
    """The id to install under: its own, or the id of an installed identical network, or a free
    one."""
    known = installed.definition_of(definition.id)
    if known is None or known.same_network(definition):
        return definition.id
    for block_id in installed.installed_ids():
        other = installed.definition_of(block_id)
        if other is not None and other.same_network(definition) and other.name == definition.name:
            return block_id
    return installed.free_id(definition.id)


def _with_id(definition: UserBlockDef, block_id: str) -> UserBlockDef:
    return UserBlockDef(
        block_id,
        definition.name,
        definition.description,
        definition.layers,
        definition.edges,
        definition.output,
        definition.exposed,
        definition.extra,
    )


def _remapped(entry: Any, renamed: dict[str, str]) -> Any:
    """A node or block document with every renamed block id replaced."""
    if not renamed or not isinstance(entry, dict):
        return entry
    entry = copy.deepcopy(entry)
    if isinstance(entry.get("block"), str):
        entry["block"] = renamed.get(entry["block"], entry["block"])
    for layer in entry.get("layers", []) if isinstance(entry.get("layers"), list) else []:
        if isinstance(layer, dict) and isinstance(layer.get("block"), str):
            layer["block"] = renamed.get(layer["block"], layer["block"])
    return entry
