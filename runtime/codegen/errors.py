"""The error an export reports: it names the file or the node at fault."""

from __future__ import annotations

from pathlib import Path

from runtime.errors import ConvStudioError


class ExportError(ConvStudioError):
    """An export that was refused; `path` or `node_id` names what is at fault when there is one."""

    def __init__(
        self, message: str, path: str | Path | None = None, node_id: str | None = None
    ) -> None:
        self.path = None if path is None else Path(path)
        self.node_id = node_id
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)
