"""The on-disk cache of file indexes and channel statistics (safe to delete at any time)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """$CONVSTUDIO_CACHE, else $XDG_CACHE_HOME/convstudio, else ~/.cache/convstudio."""
    if os.environ.get("CONVSTUDIO_CACHE"):
        return Path(os.environ["CONVSTUDIO_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "convstudio"


def cache_key(*parts: Any) -> str:
    """A file-name-safe digest of `parts`."""
    return hashlib.sha256(
        json.dumps(parts, default=str).encode("utf-8", "surrogatepass")
    ).hexdigest()[:32]


def read_cached(kind: str, key: str) -> Any:
    """The JSON stored under (kind, key), or None when absent or unreadable."""
    try:
        return json.loads((cache_dir() / kind / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_cached(kind: str, key: str, value: Any) -> None:
    """Store JSON under (kind, key) atomically; a cache that cannot be written is silently
    skipped."""
    folder = cache_dir() / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f)
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        pass
