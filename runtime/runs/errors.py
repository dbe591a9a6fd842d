"""Typed errors of the run history, diffs and sweeps; each names the run folder or file at fault."""

from __future__ import annotations

from pathlib import Path

from runtime.errors import ConvStudioError


class RunError(ConvStudioError):
    """A run folder or run-related file that cannot be used; `path` names it."""

    def __init__(self, path: str | Path | None, message: str) -> None:
        self.path = None if path is None else Path(path)
        self.message = message
        super().__init__((f"{self.path}: " if self.path else "") + message)


class SweepError(ConvStudioError):
    """A sweep that cannot run: a bad search space entry (`key` names it) or a missing extra."""

    def __init__(self, key: str | None, message: str) -> None:
        self.key = key
        super().__init__((f"search space '{key}': " if key else "") + message)
