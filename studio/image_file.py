"""Save a QImage as a PNG file atomically (never a half-written picture over a good one)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

from runtime.atomic_write import write_atomic
from runtime.errors import WriteError


def png_bytes(image: QImage) -> bytes:
    """The image encoded as PNG."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise WriteError(None, "the picture could not be encoded as PNG")
    buffer.close()
    return bytes(data.data())


def save_png(image: QImage, path: str | Path) -> Path:
    """Write `image` to `path` as PNG through a temporary file; WriteError names the path on
    failure."""
    if image.isNull():
        raise WriteError(path, "cannot be written: the picture is empty")
    write_atomic(path, png_bytes(image))
    return Path(path)
