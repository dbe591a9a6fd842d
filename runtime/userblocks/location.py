"""Where the window keeps the user's block library, found without Qt (for the command line).

The window asks Qt for its data folder (QStandardPaths.AppDataLocation), which nests the
organisation and the application name, both "ConvStudio". This module computes the same folder
the way Qt does on each platform; a test compares the two.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "ConvStudio"
"""Qt's organisation and application name alike."""
LIBRARY_FOLDER = "blocks"
"""The library's folder inside the data folder."""


def app_data_dir() -> Path:
    """The window's data folder, e.g. ~/.local/share/ConvStudio/ConvStudio on Linux."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else home / ".local" / "share"
    return base / APP_NAME / APP_NAME


def library_dir() -> Path:
    """The folder of the user's own blocks (one JSON file each)."""
    return app_data_dir() / LIBRARY_FOLDER
