"""ConvStudio's own installed files (templates, data, code): opened as copies, never written."""

from __future__ import annotations

from pathlib import Path

INSTALL_ROOT = Path(__file__).resolve().parent.parent
"""The folder that holds the `blocks`, `runtime` and `studio` packages and `assets`."""
OWN_FOLDERS = ("assets", "blocks", "runtime", "studio")


def is_installed_file(path: str | Path) -> bool:
    """True when `path` (symlinks resolved) lies in one of ConvStudio's own installed folders."""
    try:
        real = Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        return False
    return any(real.is_relative_to(INSTALL_ROOT / folder) for folder in OWN_FOLDERS)
