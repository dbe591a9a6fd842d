"""Errors of model import: each names the file (and line) at fault."""

from __future__ import annotations

import traceback
from pathlib import Path
from types import TracebackType

from runtime.errors import ConvStudioError


class ModelImportError(ConvStudioError):
    """A model that cannot be imported; `where` is 'file' or 'file:line'."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


def user_line(tb: TracebackType | None, files: set[str]) -> int | None:
    """The line of the innermost traceback frame that lies in one of `files` (resolved paths)."""
    line = None
    for frame in traceback.extract_tb(tb):
        try:
            if str(Path(frame.filename).resolve()) in files:
                line = frame.lineno
        except OSError:
            continue
    return line


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message, prefixed by its type."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0].strip()}" if lines else type(exc).__name__
