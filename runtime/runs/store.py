"""The runs of one project folder: list, rename, star, note, delete."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

from runtime.atomic_write import write_atomic
from runtime.runs.errors import RunError
from runtime.runs.record import LABELS_FILE, RECORD_FILE, RunRecord, read_record


class RunStore:
    """Run folders under one root (`<project stem>.runs`); the labels a person gives live in
    labels.json."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def list(self) -> list[RunRecord]:
        """Every readable run, newest first (folders that are not runs are skipped)."""
        try:
            entries = [
                e.path for e in os.scandir(self.root) if e.is_dir()
            ]  # strings: 1,000 Paths cost ~50 ms
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise RunError(self.root, f"cannot be listed: {exc.strerror or exc}") from None
        records = []
        for entry in entries:
            record = _cached_record(entry)
            if record is not None:
                records.append(record)
        records.sort(key=lambda r: r.id, reverse=True)
        return records

    def get(self, run: str) -> RunRecord:
        """The run whose id, or unique name, is `run`."""
        folder = self.root / run
        if (folder / RECORD_FILE).is_file():
            return read_record(folder)
        named = [r for r in self.list() if r.name == run]
        if len(named) == 1:
            return named[0]
        if named:
            raise RunError(
                self.root, f"{len(named)} runs are named '{run}': give the run id instead"
            )
        raise RunError(self.root, f"has no run '{run}'")

    def rename(self, run: str, name: str) -> RunRecord:
        """Give the run a new name (leading and trailing spaces dropped; not empty)."""
        name = name.strip()
        if not name:
            raise RunError(self.root / run, "a run's name cannot be empty")
        return self._label(run, name=name)

    def star(self, run: str, starred: bool = True) -> RunRecord:
        """Star or unstar the run."""
        return self._label(run, starred=bool(starred))

    def note(self, run: str, text: str) -> RunRecord:
        """Replace the run's note."""
        return self._label(run, note=str(text))

    def delete(self, run: str) -> None:
        """Remove the run folder and everything in it (only a folder that holds a run record)."""
        record = self.get(run)
        folder = record.folder
        assert folder is not None
        if record.state == "running":
            raise RunError(folder, "is still training: stop it before deleting it")
        try:
            shutil.rmtree(folder)
        except OSError as exc:
            raise RunError(folder, f"cannot be deleted: {exc.strerror or exc}") from None

    def _label(self, run: str, **changes: object) -> RunRecord:
        record = self.get(run)
        for key, value in changes.items():
            setattr(record, key, value)
        assert record.folder is not None
        write_atomic(
            record.folder / LABELS_FILE,
            json.dumps(record.labels(), indent=2, ensure_ascii=False) + "\n",
        )
        return record


_CACHE: dict[str, tuple[tuple[int, ...], RunRecord]] = {}
"""Records read before, by folder, with the stamps of the files they were read from."""


def _stamp(folder: str) -> tuple[int, ...] | None:
    """Modification times and sizes of run.json and labels.json; None when there is no run.json."""
    try:
        record = os.stat(os.path.join(folder, RECORD_FILE))
    except OSError:
        return None
    try:
        labels = os.stat(os.path.join(folder, LABELS_FILE))
        extra = (labels.st_mtime_ns, labels.st_size)
    except OSError:
        extra = (0, 0)
    return (record.st_mtime_ns, record.st_size, *extra)


def _cached_record(folder: str) -> RunRecord | None:
    """The folder's record (read again only when one of its files changed), or None when it is not
    a run."""
    stamp = _stamp(folder)
    if stamp is None:
        return None
    hit = _CACHE.get(folder)
    if hit is not None and hit[0] == stamp:
        return copy.copy(hit[1])
    try:
        record = read_record(Path(folder))
    except RunError:
        return None
    _CACHE[folder] = (stamp, record)
    return copy.copy(record)
