"""Read any picture file as the network's input: right channel count, resized and centre-cropped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError

from runtime.bounded_read import open_regular
from runtime.insight.errors import ImageFileError


def fit_image(image: Image.Image, shape: tuple[int, int, int]) -> np.ndarray:
    """`image` as uint8 (C, H, W): grey or RGB, the shorter side scaled to fit, then
    centre-cropped."""
    c, h, w = shape
    image = image.convert("L" if c == 1 else "RGB")
    scale = max(h / image.height, w / image.width)
    size = (max(w, round(image.width * scale)), max(h, round(image.height * scale)))
    image = image.resize(size, Image.Resampling.BILINEAR)
    left, top = (size[0] - w) // 2, (size[1] - h) // 2
    pixels = np.asarray(image.crop((left, top, left + w, top + h)), dtype=np.uint8)
    pixels = pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
    if c not in (1, 3):
        raise ImageFileError("<image>", f"a picture has 1 or 3 channels; the network wants {c}")
    return np.ascontiguousarray(pixels)


def read_image(path: str | Path, shape: tuple[int, int, int]) -> np.ndarray:
    """The picture at `path` fitted to `shape` (C, H, W) as uint8; ImageFileError names the file."""
    path = Path(path)
    # a FIFO would block forever and a device never ends: regular files only, checked before reading
    with os.fdopen(open_regular(path, ImageFileError), "rb") as handle:
        return _decode(handle, path, shape)


def _decode(handle: BinaryIO, path: Path, shape: tuple[int, int, int]) -> np.ndarray:
    """Decode the open picture file and fit it; ImageFileError names the file when it cannot."""
    try:
        with Image.open(handle) as image:
            image.load()
            return fit_image(image, shape)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageFileError(
            path, f"cannot be read as an image ({exc.__class__.__name__})"
        ) from None
    except Image.DecompressionBombError:
        raise ImageFileError(path, "is too large to open safely") from None
