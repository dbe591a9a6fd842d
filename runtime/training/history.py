"""metrics.jsonl: one JSON record per line, appended as a run goes; a resumed run continues the
file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from runtime.atomic_write import write_atomic
from runtime.errors import WriteError

NAME = "metrics.jsonl"


def _kept_lines(text: str, until_step: int) -> list[str]:
    """The complete, readable records up to and including iteration `until_step` (later ones are
    re-run by the resumed run; a line cut short by a kill is dropped)."""
    kept = []
    for line in text.split("\n")[:-1]:  # the part after the last newline was never finished
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if (
            isinstance(record, dict)
            and isinstance(record.get("step"), int)
            and record["step"] <= until_step
        ):
            kept.append(line)
    return kept


def open_history(folder: Path, continue_from_step: int | None) -> IO[str]:
    """Open the folder's metrics.jsonl for appending.

    With `continue_from_step` (a resume into the same folder) the earlier records up to that
    iteration are kept; otherwise the file starts empty."""
    path = folder / NAME
    try:
        if continue_from_step is not None and path.exists():
            text = path.read_text(encoding="utf-8", errors="replace")
            kept = _kept_lines(text, continue_from_step)
            if len(kept) != text.count("\n") or not text.endswith("\n"):
                write_atomic(path, "".join(line + "\n" for line in kept))
        else:
            write_atomic(path, "")
        return open(path, "a", encoding="utf-8")
    except OSError as exc:
        raise WriteError(path, f"cannot be written: {exc.strerror or exc}") from None


def append(handle: IO[str], record: dict[str, Any], flush: bool = False) -> None:
    """Write one record as a line (flushed and synced at epoch ends, so a kill loses little)."""
    try:
        handle.write(json.dumps(record, default=float) + "\n")
        if flush:
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise WriteError(Path(handle.name), f"cannot be written: {exc.strerror or exc}") from None
