"""Where the app keeps its settings and recovery file; tests pass temporary ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "assets" / "templates"
DEFAULT_PROJECT = TEMPLATES / "lenet5.json"


@dataclass(frozen=True)
class AppPaths:
    """The settings file (window layout, recent files) and the folder of the autosave recovery
    files."""

    settings_file: Path
    data_dir: Path

    def settings(self) -> QSettings:
        """A QSettings object on the settings file."""
        return QSettings(str(self.settings_file), QSettings.IniFormat)

    @classmethod
    def default(cls) -> "AppPaths":
        """The per-user locations of the platform."""
        data = Path(
            QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
            or Path.home() / ".convstudio"
        )
        config = Path(QStandardPaths.writableLocation(QStandardPaths.AppConfigLocation) or data)
        return cls(config / "convstudio.ini", data)

    @classmethod
    def under(cls, folder: str | Path) -> "AppPaths":
        """Everything inside one folder (tests)."""
        folder = Path(folder)
        return cls(folder / "convstudio.ini", folder / "data")
