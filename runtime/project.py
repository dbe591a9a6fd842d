"""A project: the graph, its input size, data and training settings, and the file it lives in."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from runtime.atomic_write import write_atomic  # also re-exported: older callers import it from here
from runtime.bounded_read import read_limited
from runtime.errors import InputShapeError, ProjectFileError, ProjectNameError, SectionError
from runtime.graph import Graph
from runtime.project_events import (
    InputShapeChanged,
    Observer,
    ProjectEvent,
    ProjectRenamed,
    SectionChanged,
)
from runtime.project_file import (
    FORMAT,
    KNOWN_KEYS,
    MAX_BYTES,
    VERSION,
    build_graph,
    graph_to_doc,
    groups_to_doc,
    parse_text,
    read_input_shape,
)
from runtime.userblocks.embedding import KEY as EMBEDDED_KEY
from runtime.userblocks.embedding import embedded_blocks, install_embedded


MAX_NAME = 200
"""The longest project name accepted (it titles the window and names the exported class)."""

SECTIONS = ("data", "training")
"""Project sections that are replaced as a whole (one undoable edit per field change)."""
TASKS = ("classification", "segmentation")
"""What a project's network learns: one class per image, or one class per pixel."""


@dataclass
class Project:
    """Everything a user saves: graph, input size (C, H, W), data and training settings."""

    graph: Graph = field(default_factory=Graph)
    input_shape: tuple[int, int, int] = (1, 28, 28)
    name: str = "Untitled"
    description: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    task: str = "classification"
    """One of TASKS; files without a `task` key are classification projects."""
    _observers: list[Observer] = field(default_factory=list, init=False, repr=False, compare=False)

    # ----- observation ---------------------------------------------------------------
    def subscribe(self, observer: Observer) -> None:
        """Call `observer` with every ProjectEvent: graph changes and project-level ones alike."""
        self._observers.append(observer)
        self.graph.subscribe(observer)

    def unsubscribe(self, observer: Observer) -> None:
        """Stop notifying `observer`."""
        self._observers.remove(observer)
        self.graph.unsubscribe(observer)

    def _emit(self, event: ProjectEvent) -> None:
        for observer in list(self._observers):
            observer(event)

    # ----- project-level changes -----------------------------------------------------
    def set_input_shape(self, shape: tuple[int, int, int]) -> None:
        """Set the input size (C, H, W); every value must be a positive integer."""
        values = tuple(shape)
        if len(values) != 3 or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values
        ):
            raise InputShapeError(
                f"the input size must be three positive integers (C, H, W), not {shape!r}"
            )
        self.input_shape = values
        self._emit(InputShapeChanged())

    def set_name(self, name: str) -> str:
        """Rename the project (surrounding spaces dropped); returns the old name."""
        old, self.name = self.name, check_project_name(name)
        self._emit(ProjectRenamed())
        return old

    def set_section(self, section: str, value: Mapping[str, Any]) -> None:
        """Replace the `data` or `training` section with a copy of `value`."""
        if section not in SECTIONS:
            raise SectionError(
                f"unknown project section '{section}' (known: {', '.join(SECTIONS)})"
            )
        setattr(self, section, copy.deepcopy(dict(value)))
        self._emit(SectionChanged(section))

    def set_task(self, task: str) -> None:
        """Set the task (one of TASKS); the data and training sections are kept."""
        if task not in TASKS:
            raise SectionError(f"unknown task '{task}' (known: {', '.join(TASKS)})")
        self.task = task
        self._emit(SectionChanged("task"))

    def to_dict(self) -> dict[str, Any]:
        """The project as a current-version JSON document (unknown fields kept)."""
        nodes, edges = graph_to_doc(self.graph)
        c, h, w = self.input_shape
        doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": self.name}
        if self.description:
            doc["description"] = self.description
        if self.task != "classification":  # older files, without the key, are classification
            doc["task"] = self.task
        doc["input"] = {"channels": c, "height": h, "width": w}
        doc["nodes"] = nodes
        doc["edges"] = edges
        group_list = groups_to_doc(self.graph)
        if group_list:
            doc["groups"] = group_list
        if self.data:
            doc["data"] = self.data
        if self.training:
            doc["training"] = self.training
        blocks = embedded_blocks(self.graph)
        if blocks:
            doc[EMBEDDED_KEY] = blocks
        doc.update(self.extra)
        return doc

    def to_json(self) -> str:
        """The document as pretty, stable JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically (temp file, fsync, rename): a crash mid-save leaves the old file
        intact."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ProjectFileError(None, "the project has no file yet: give a path to save to")
        from runtime.weights.project_weights import carry_weights

        carry_weights(self, target)
        write_atomic(target, self.to_json())
        self.path = target
        return target

    def copy(self) -> "Project":
        """An independent copy (graph included)."""
        return Project(
            self.graph.copy(),
            self.input_shape,
            self.name,
            self.description,
            copy.deepcopy(self.data),
            copy.deepcopy(self.training),
            copy.deepcopy(self.extra),
            self.path,
            self.task,
        )


def check_project_name(name: object) -> str:
    """`name` without surrounding spaces, or ProjectNameError saying what is wrong with it."""
    if not isinstance(name, str) or not name.strip():
        raise ProjectNameError("a project name cannot be empty")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise ProjectNameError(f"a project name has at most {MAX_NAME} characters, not {len(name)}")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ProjectNameError("a project name cannot hold control characters (line breaks, tabs)")
    return name


def project_from_dict(doc: dict[str, Any], path: str | Path | None = None) -> Project:
    """Build a Project from a (current-version) document."""
    name = doc.get("name", "Untitled")
    description = doc.get("description", "")
    if not isinstance(name, str) or not isinstance(description, str):
        raise ProjectFileError(path, "'name' and 'description' must be strings")
    for key in ("data", "training"):
        if not isinstance(doc.get(key, {}), dict):
            raise ProjectFileError(path, f"'{key}' must be an object")
    task = doc.get("task", "classification")
    if task not in TASKS:
        raise ProjectFileError(
            path, f"'task' must be one of {', '.join(TASKS)}, not {str(task)[:40]!r}"
        )
    doc = install_embedded(doc, path)
    return Project(
        graph=build_graph(doc, path),
        input_shape=read_input_shape(doc, path),
        name=name,
        description=description,
        data=copy.deepcopy(doc.get("data", {})),
        training=copy.deepcopy(doc.get("training", {})),
        extra={k: copy.deepcopy(v) for k, v in doc.items() if k not in KNOWN_KEYS},
        path=Path(path) if path is not None else None,
        task=task,
    )


def load_project(path: str | Path) -> Project:
    """Read a project file; every problem is a ProjectFileError naming the file."""
    path = Path(path)
    raw = read_limited(path, MAX_BYTES, ProjectFileError, "project files")
    return project_from_dict(parse_text(raw, path), path)


def loads_project(text: str | bytes) -> Project:
    """Parse a project from JSON text (no file)."""
    return project_from_dict(parse_text(text))
