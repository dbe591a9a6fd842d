"""The runs of one project folder: list, rename, star, note, delete."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from runtime.atomic_write import write_atomic
from runtime.runs.errors import RunError
from runtime.runs.record import LABELS_FILE, RECORD_FILE, RunRecord, read_record


class RunStore:
    """Run folders under one root (`<project stem>.runs`); the labels a person gives live in labels.json."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def list(self) -> list[RunRecord]:
        """Every readable run, newest first (folders that are not runs are skipped)."""
        try:
            entries = [e for e in self.root.iterdir() if (e / RECORD_FILE).is_file()]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise RunError(self.root, f"cannot be listed: {exc.strerror or exc}") from None
        records = []
        for entry in entries:
            try:
                records.append(read_record(entry))
            except RunError:
                continue
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
            raise RunError(self.root, f"{len(named)} runs are named '{run}': give the run id instead")
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
        write_atomic(record.folder / LABELS_FILE, json.dumps(record.labels(), indent=2, ensure_ascii=False) + "\n")
        return record
