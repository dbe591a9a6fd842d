"""The typed error every data problem raises."""

from __future__ import annotations

from pathlib import Path

from runtime.errors import ConvStudioError


class DataError(ConvStudioError):
    """A data set that cannot be used; `path` names the file or folder at fault (None for
    settings)."""

    def __init__(self, path: str | Path | None, message: str) -> None:
        self.path = None if path is None else Path(path)
        self.message = message
        # a URL is named as written (Path would fold its '//')
        where = path if isinstance(path, str) and "://" in path else self.path
        super().__init__(f"{where}: {message}" if where else message)
