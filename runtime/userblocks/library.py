"""The user's block library: one JSON file per block in a folder of the user's data directory.

Loading never stops at a bad file: each one gives one line naming it and why, and the others
load. Files are written atomically; a file is read only up to its size limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from runtime.atomic_write import write_atomic
from runtime.bounded_read import read_limited
from runtime.errors import ConvStudioError
from runtime.userblocks.definition import (
    MAX_BYTES,
    UserBlockDef,
    UserBlockError,
    check_block_name,
    decode_text,
    document_id,
    parse_definition,
    used_blocks,
)
from runtime.userblocks.installed import install

MAX_FILES = 1000
"""Block files read from one library folder (the rest are named in one problem line)."""


@dataclass
class UserLibrary:
    """The blocks of one library folder; `load` reads it, the other methods change it."""

    folder: Path
    blocks: dict[str, UserBlockDef] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def load(self) -> list[str]:
        """Read and install every block file; returns one line per file that could not be used."""
        self.blocks, self.files, self.problems = {}, {}, []
        if not self.folder.is_dir():
            return []
        paths = sorted(p for p in self.folder.glob("*.json") if not p.name.startswith("."))
        if len(paths) > MAX_FILES:
            self.problems.append(
                f"{self.folder}: holds {len(paths):,} block files; the first {MAX_FILES} are read"
            )
            paths = paths[:MAX_FILES]
        documents: dict[str, tuple[Any, Path]] = {}
        for path in paths:
            try:
                doc = decode_text(read_limited(path, MAX_BYTES, UserBlockError), path)
            except UserBlockError as exc:
                self.problems.append(str(exc))
                continue
            block_id = document_id(doc) or path.stem
            if block_id in documents:
                other = documents[block_id][1].name
                self.problems.append(f"{path}: has the same id as {other}; it is not loaded")
                continue
            documents[block_id] = (doc, path)
        for block_id in _dependency_order(documents, self.problems):
            doc, path = documents[block_id]
            try:
                definition = install(parse_definition(doc, path), path)
            except ConvStudioError as exc:
                self.problems.append(str(exc))
                continue
            self.blocks[definition.id] = definition
            self.files[definition.id] = path
        return list(self.problems)

    def names(self) -> dict[str, str]:
        """Block id → name of every loaded block."""
        return {block_id: d.name for block_id, d in self.blocks.items()}

    def check_new_name(self, name: str, keep: str | None = None) -> str:
        """`name` checked and not taken by another library block (`keep` is the block itself)."""
        name = check_block_name(name)
        for block_id, definition in self.blocks.items():
            if block_id != keep and definition.name.casefold() == name.casefold():
                raise UserBlockError(
                    None, f"your library already has a block called '{definition.name}'"
                )
        return name

    def add(self, definition: UserBlockDef) -> Path:
        """Install `definition` and write its file; refuses a name the library already has."""
        self.check_new_name(definition.name)
        path = self.folder / f"{definition.id}.json"
        if path.exists():
            raise UserBlockError(path, "already exists: choose another name for the block")
        install(definition, path)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, definition.to_json())
        self.blocks[definition.id] = definition
        self.files[definition.id] = path
        return path

    def rename(self, block_id: str, name: str) -> UserBlockDef:
        """Give block `block_id` a new name (its id stays, so placed copies keep working)."""
        name = self.check_new_name(name, keep=block_id)
        definition = self.blocks[block_id].renamed(name)
        write_atomic(self.files[block_id], definition.to_json())
        install(definition, self.files[block_id])
        self.blocks[block_id] = definition
        return definition

    def delete(self, block_id: str) -> None:
        """Remove the block's file; copies placed in open projects keep working (they embed it)."""
        path = self.files.pop(block_id)
        self.blocks.pop(block_id)
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise UserBlockError(path, f"cannot be deleted: {exc.strerror or exc}") from None


def _dependency_order(documents: dict[str, tuple[Any, Path]], problems: list[str]) -> list[str]:
    """Block ids with the blocks each one uses first; blocks in a cycle are reported, not
    loaded."""
    graph = nx.DiGraph()
    graph.add_nodes_from(documents)
    for block_id, (doc, _) in documents.items():
        graph.add_edges_from(
            (used, block_id) for used in used_blocks(doc) if used in documents and used != block_id
        )
    cyclic: set[str] = set()
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            cyclic |= component
    for block_id in sorted(cyclic):
        doc, path = documents[block_id]
        others = sorted(u for u in used_blocks(doc) if u in cyclic)
        problems.append(f"{path}: uses '{others[0]}', which uses it in turn (a cycle)")
    graph.remove_nodes_from(cyclic)
    return list(nx.lexicographical_topological_sort(graph))
