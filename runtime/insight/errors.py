"""Typed errors of the insight tools; each names the node, file or setting at fault."""

from __future__ import annotations

from pathlib import Path

from runtime.errors import ConvStudioError, GraphError

INSTALL_HINT = "pip install 'convstudio[insight]'"


class MissingExtraError(ConvStudioError):
    """An optional library the insight tools need is not installed."""

    def __init__(self, library: str) -> None:
        super().__init__(
            f"{library} is not installed: {INSTALL_HINT} to explain, attack and ablate"
        )
        self.library = library


class InsightNodeError(GraphError):
    """A node that cannot be used the way asked (not a convolution, not bypassable, no such
    channel)."""


class ImageFileError(ConvStudioError):
    """An image file that cannot be read as a picture."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path}: {message}")


class InsightSettingError(ConvStudioError):
    """A setting of an insight tool outside what it accepts (ε, method, number of classes…)."""

    def __init__(self, setting: str, message: str) -> None:
        self.setting = setting
        super().__init__(f"{setting}: {message}")
