"""A run record: what one training run was (graph, settings, versions, figures) and how it went."""

from __future__ import annotations

import json
import os
import platform
import secrets
import socket
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from runtime.atomic_write import write_atomic
from runtime.runs.errors import RunError

RECORD_FILE = "run.json"
"""What the run is and how it went (written by the training run)."""
LABELS_FILE = "labels.json"
"""What the person said about it: name, star, note (written only by the run store)."""
SNAPSHOT_FILE = "project.json"
"""The project as it was trained."""
HISTORY_FILE = "history.jsonl"
"""One JSON line per reported step and per epoch (no confusion matrices)."""
FORMAT = "convstudio-run"
VERSION = 1
LABEL_KEYS = ("name", "starred", "note")


def metric_name(task: str) -> str:
    """What runs of a task are ranked by: validation mIoU when segmenting, accuracy when
    classifying."""
    return "mIoU" if task == "segmentation" else "accuracy"


def versions() -> dict[str, str]:
    """ConvStudio, torch and Python versions of this process."""
    import torch

    try:
        own = metadata.version("convstudio")
    except metadata.PackageNotFoundError:
        own = "unknown"
    return {"convstudio": own, "torch": torch.__version__, "python": platform.python_version()}


def now_text() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id() -> str:
    """A run id that sorts by start time and never collides: date-time plus four random hex
    digits."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


@dataclass
class RunRecord:
    """Everything kept about one run; `folder` is where it lives (not stored in the file)."""

    id: str
    name: str
    created: str
    source: str = "cli"
    status: str = "running"
    message: str = ""
    project_name: str = ""
    project_file: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    device: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    params: int | None = None
    macs: int | None = None
    receptive_field: int | None = None
    epochs: int = 0
    planned_epochs: int = 0
    steps: int = 0
    task: str = "classification"
    best_val_accuracy: float | None = None
    last_val_accuracy: float | None = None
    best_val_miou: float | None = None
    last_val_miou: float | None = None
    duration_s: float = 0.0
    finished: str | None = None
    checkpoints: dict[str, str] = field(default_factory=dict)
    resumed_from: str | None = None
    sweep: dict[str, Any] | None = None
    starred: bool = False
    note: str = ""
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    folder: Path | None = field(default=None, compare=False)

    @property
    def state(self) -> str:
        """The status, with 'interrupted' for a run whose process on this machine is gone
        mid-run."""
        if self.status == "running" and self.host == socket.gethostname() and not _alive(self.pid):
            return "interrupted"
        return self.status

    @property
    def metric(self) -> str:
        """The name of the figure this run is ranked by: mIoU when segmenting, else accuracy."""
        return metric_name(self.task)

    @property
    def best_score(self) -> float | None:
        """The best validation figure the run is ranked by (mIoU, or accuracy)."""
        return self.best_val_miou if self.task == "segmentation" else self.best_val_accuracy

    @property
    def last_score(self) -> float | None:
        """The last epoch's validation figure the run is ranked by (mIoU, or accuracy)."""
        return self.last_val_miou if self.task == "segmentation" else self.last_val_accuracy

    def to_dict(self) -> dict[str, Any]:
        """The run.json document (labels excluded: they live in labels.json)."""
        doc = {"format": FORMAT, "version": VERSION}
        doc.update({k: v for k, v in asdict(self).items() if k not in ("folder", *LABEL_KEYS)})
        doc["name"] = self.name  # the name given at start; a rename lives in labels.json
        return doc

    def save(self) -> None:
        """Write run.json atomically into the run folder."""
        if self.folder is None:
            raise RunError(None, "the run has no folder to be written to")
        write_atomic(
            self.folder / RECORD_FILE, json.dumps(self.to_dict(), indent=2, default=float) + "\n"
        )

    def labels(self) -> dict[str, Any]:
        """Name, star and note."""
        return {"name": self.name, "starred": self.starred, "note": self.note}


_FIELDS = {f.name: f for f in fields(RunRecord) if f.name != "folder"}


def _alive(pid: int) -> bool:
    """True when a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(path.parent, f"is not a ConvStudio run (no {path.name})") from None
    except (OSError, ValueError) as exc:
        raise RunError(path, f"cannot be read: {exc}") from None


def read_record(folder: str | Path) -> RunRecord:
    """The record of the run in `folder`, with its labels applied; RunError when it is not a run."""
    folder = Path(folder)
    doc = _read_json(folder / RECORD_FILE)
    if (
        not isinstance(doc, dict)
        or doc.get("format") != FORMAT
        or not isinstance(doc.get("id"), str)
    ):
        raise RunError(
            folder / RECORD_FILE, f"is not a ConvStudio run record ('format' must be \"{FORMAT}\")"
        )
    values = {k: v for k, v in doc.items() if k in _FIELDS}
    if values.get("task") != "segmentation":  # older records (no task) were classification runs
        values["task"] = "classification"
    for key in ("best_val_miou", "last_val_miou"):
        if not isinstance(values.get(key), (int, float)) or isinstance(values[key], bool):
            values[key] = None
    values.setdefault("name", doc["id"])
    values.setdefault("created", "")
    record = RunRecord(**values)
    record.folder = folder
    labels_path = folder / LABELS_FILE
    if labels_path.exists():
        labels = _read_json(labels_path)
        if isinstance(labels, dict):
            if isinstance(labels.get("name"), str) and labels["name"].strip():
                record.name = labels["name"]
            record.starred = labels.get("starred") is True
            record.note = labels["note"] if isinstance(labels.get("note"), str) else ""
    return record


def read_snapshot(folder: str | Path) -> dict[str, Any]:
    """The project document a run trained (parsed and validated like a project file)."""
    from runtime.project_file import parse_text

    path = Path(folder) / SNAPSHOT_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RunError(path.parent, f"is not a ConvStudio run (no {SNAPSHOT_FILE})") from None
    except OSError as exc:
        raise RunError(path, f"cannot be read: {exc.strerror or exc}") from None
    return parse_text(raw, path)


def read_history(folder: str | Path) -> list[dict[str, Any]]:
    """The run's step and epoch lines (a torn last line of a killed run is skipped)."""
    path = Path(folder) / HISTORY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise RunError(path, f"cannot be read: {exc.strerror or exc}") from None
    lines = []
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            lines.append(item)
    return lines
