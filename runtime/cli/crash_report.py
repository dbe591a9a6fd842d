"""Where an unexpected exception's traceback goes, so that the user sees one line, not a dump."""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from pathlib import Path


def crash_folder() -> Path:
    """The per-user folder of crash reports: $XDG_CACHE_HOME/convstudio/crashes (~/.cache/...)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "convstudio" / "crashes"


def write_crash_report(command: str, exc: BaseException) -> Path | None:
    """Write the traceback of `exc` to a new file; its path, or None when no folder is writable."""
    text = f"convstudio {command}: {time.strftime('%Y-%m-%d %H:%M:%S')}\n" + "".join(
        traceback.format_exception(exc)
    )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for folder in (crash_folder(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(
                prefix=f"convstudio-{command}-{stamp}-", suffix=".txt", dir=folder
            )
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(text)
            return Path(name)
        except OSError:
            continue
    return None
