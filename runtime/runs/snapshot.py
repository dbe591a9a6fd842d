"""The project as a run keeps it: a self-contained document whose data paths no longer depend on
where
the project file lives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.project import Project, project_from_dict

PATH_KEYS = ("path", "images", "labels")
"""Data settings that name files or folders (resolved against the project's folder when
relative)."""


def snapshot_doc(project: Project) -> dict[str, Any]:
    """The project document with relative data paths made absolute (the run folder lives
    elsewhere)."""
    doc = project.to_dict()
    data = dict(doc.get("data", {}))
    base = project.path.parent if project.path is not None else None
    for key in PATH_KEYS:
        value = data.get(key)
        if (
            isinstance(value, str)
            and base is not None
            and not Path(value).expanduser().is_absolute()
        ):
            data[key] = str((base / value).resolve())
    if data:
        doc["data"] = data
    return doc


def project_from_snapshot(doc: dict[str, Any], where: Path) -> Project:
    """A project rebuilt from a run's snapshot, with no file of its own (an untitled project)."""
    project = project_from_dict(doc, where)
    project.path = None
    return project
