"""Autosave to a recovery file after changes; offer it back after a crash.

Every window writes its own `recovery-<id>.json` and holds the lock file beside it while it lives
(QLockFile records the process, so a crashed owner's lock is recognised as stale). A recovery file
whose lock nobody holds was left by a crash; two ConvStudio windows never overwrite each other's.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QObject, QTimer

from runtime.errors import ProjectFileError
from runtime.project import Project, loads_project, write_atomic
from studio.document import Document

AUTOSAVE_DELAY_MS = 1500


class Autosaver(QObject):
    """Writes the live project (and the path it belongs to) to this window's recovery file shortly
    after each edit."""

    def __init__(self, doc: Document, folder: Path, delay_ms: int = AUTOSAVE_DELAY_MS) -> None:
        super().__init__(doc)
        self.doc = doc
        self.file = Path(folder) / f"recovery-{uuid.uuid4().hex[:12]}.json"
        self.lock = QLockFile(str(_lock_of(self.file)))
        self.lock.setStaleLockTime(0)  # never stale while this process lives, however long it runs
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            self.lock.tryLock(0)
        except OSError:
            pass  # no writable data folder: autosave is off, see save_now
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self.save_now)
        doc.undo_stack.indexChanged.connect(self._changed)

    def _changed(self, *args: object) -> None:
        if self.doc.undo_stack.isClean():
            self.timer.stop()
            self.discard()
        else:
            self.timer.start()

    def save_now(self) -> None:
        """Write the recovery file now (atomic)."""
        project = self.doc.project
        payload = {
            "path": str(project.path) if project.path else None,
            "project": project.to_dict(),
        }
        try:
            write_atomic(self.file, json.dumps(payload, ensure_ascii=False))
        except ProjectFileError:
            # the data dir is not writable: the user's file is untouched, nothing to recover later
            return

    def discard(self) -> None:
        """Remove the recovery file (clean exit, or everything saved)."""
        self.file.unlink(missing_ok=True)

    def release(self) -> None:
        """Clean exit: no recovery file, and the lock let go."""
        self.timer.stop()
        self.discard()
        self.lock.unlock()


def left_by_crashes(folder: Path) -> list[Path]:
    """Recovery files in `folder` whose window is gone (no live lock), newest first; a dead window's
    lock without a recovery file (it had nothing unsaved) is removed."""
    for lock_file in Path(folder).glob("recovery-*.lock"):
        if not lock_file.with_suffix(".json").exists():
            lock = QLockFile(str(lock_file))
            if lock.tryLock(0):
                lock.unlock()  # removes the file
    found = []
    for file in Path(folder).glob("recovery*.json"):
        lock = QLockFile(str(_lock_of(file)))
        if lock.tryLock(0):  # succeeds only when no live process holds it
            lock.unlock()
            found.append(file)
    return sorted(found, key=lambda f: f.stat().st_mtime, reverse=True)


def _lock_of(file: Path) -> Path:
    return file.with_suffix(".lock")


def read_recovery(file: Path) -> tuple[Project, Path | None] | None:
    """The project in a recovery file and the path it was saved from, or None if there is no usable
    one."""
    try:
        payload: Any = json.loads(Path(file).read_text(encoding="utf-8"))
        project = loads_project(json.dumps(payload["project"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, ProjectFileError):
        return None
    path = payload.get("path")
    return project, (Path(path) if isinstance(path, str) else None)
