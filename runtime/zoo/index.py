"""The template index: each bundled template's analysed parameters and multiply-adds, keyed by the
hash of its file, so that the gallery shows them without analysing networks when it opens."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.analysis import analyze
from runtime.bounded_read import read_limited
from runtime.errors import ProjectFileError
from runtime.project import write_atomic
from runtime.zoo.generate import TEMPLATE_DIR, load_template
from runtime.zoo.registry import TEMPLATES

INDEX_PATH = TEMPLATE_DIR.parent / "template_index.json"
"""Where the index of the bundled templates lives (beside their folder, not in it)."""
INDEX_FORMAT = "convstudio-template-index"
INDEX_VERSION = 1
MAX_INDEX_BYTES = 1 << 20
"""An index larger than this is not ours; the gallery then analyses the templates itself."""


@dataclass(frozen=True)
class IndexedFigures:
    """One template's analysed figures, valid while its file still has `sha256`."""

    sha256: str
    params: int
    macs: int


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def build_index(directory: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """The index document for every registered template in `directory`, analysed from disk."""
    templates = {}
    for name in TEMPLATES:
        analysis = analyze(load_template(name, directory))
        digest = file_digest(Path(directory) / f"{name}.json")
        templates[name] = {"sha256": digest, "params": analysis.params, "macs": analysis.macs}
    return {"format": INDEX_FORMAT, "version": INDEX_VERSION, "templates": templates}


def write_index(directory: Path = TEMPLATE_DIR, path: Path = INDEX_PATH) -> Path:
    """Analyse every template in `directory` and write the index to `path`."""
    write_atomic(Path(path), json.dumps(build_index(directory), indent=1, sort_keys=True) + "\n")
    return Path(path)


def read_index(path: Path = INDEX_PATH) -> dict[str, IndexedFigures]:
    """The figures the index holds, by template name; empty when the file is missing or is not a
    valid index (it is only a cache of figures that can always be computed again)."""
    try:
        doc = json.loads(read_limited(path, MAX_INDEX_BYTES, ProjectFileError).decode("utf-8"))
    except (ProjectFileError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    if not isinstance(doc, dict) or doc.get("format") != INDEX_FORMAT:
        return {}
    if doc.get("version") != INDEX_VERSION or not isinstance(doc.get("templates"), dict):
        return {}
    return {
        name: IndexedFigures(entry["sha256"], entry["params"], entry["macs"])
        for name, entry in doc["templates"].items()
        if _well_formed(entry)
    }


def indexed_macs(index: dict[str, IndexedFigures], name: str, path: Path) -> int | None:
    """The template's multiply-adds from the index when its file is the one that was indexed."""
    figures = index.get(name)
    try:
        return figures.macs if figures and figures.sha256 == file_digest(path) else None
    except OSError:
        return None


def stale_entries(directory: Path = TEMPLATE_DIR, path: Path = INDEX_PATH) -> list[str]:
    """Names whose index entry is missing or does not match the file on disk (for tests and CI)."""
    index = read_index(path)
    return [
        name
        for name in TEMPLATES
        if indexed_macs(index, name, Path(directory) / f"{name}.json") is None
    ]


def _well_formed(entry: object) -> bool:
    """An entry with a hex digest and two non-negative integer figures."""
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        return False
    figures = (entry.get("params"), entry.get("macs"))
    return all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in figures)


__all__ = [
    "INDEX_PATH",
    "IndexedFigures",
    "build_index",
    "file_digest",
    "indexed_macs",
    "read_index",
    "stale_entries",
    "write_index",
]
