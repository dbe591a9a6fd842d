"""Typed errors of segmentation data and networks."""

from __future__ import annotations

from runtime.data.errors import DataError
from runtime.errors import ConvStudioError


class MaskError(DataError):
    """A mask (or an image without its mask) that cannot be used; `path` names the file."""


class OutputSizeError(ConvStudioError):
    """The network's output cannot be matched to the masks: its size or its class channels."""

    def __init__(self, message: str, node_id: str | None = None) -> None:
        self.node_id = node_id
        super().__init__(message)
