"""Write an imported project with its weights next to it."""

from __future__ import annotations

from pathlib import Path

from runtime.importing.pytorch import ImportResult
from runtime.weights.project_weights import attach_weights

IMPORT_KEY = "import"
"""Top-level project key: {"source": what was imported, "key_map": original key → network key}."""


def save_import(result: ImportResult, out: str | Path, source: str) -> tuple[Path, Path]:
    """Save the project to `out` and its weights beside it; returns (project file, weight file)."""
    out = Path(out)
    project = result.project
    project.extra[IMPORT_KEY] = {"source": source, "key_map": result.key_map}
    weights = attach_weights(project, result.state_dict, out, source)
    return project.save(out), weights
