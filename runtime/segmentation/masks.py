"""Read one mask file: a greyscale PNG of class ids or a palette PNG; 255 marks ignored pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from runtime.segmentation import IGNORE
from runtime.segmentation.errors import MaskError

MASK_MODES = ("L", "P", "1", "I", "I;16")
"""Pillow modes whose pixel values are class ids."""


def open_mask_header(path: Path) -> tuple[tuple[int, int], str]:
    """(width, height) and Pillow mode of a mask, without decoding its pixels."""
    try:
        with Image.open(path) as img:
            return img.size, img.mode
    except (OSError, UnidentifiedImageError) as exc:
        raise MaskError(path, f"cannot be read as a mask ({exc})") from None


def mode_problem(mode: str) -> str:
    """Why a mask of this Pillow mode is refused ('' when its pixels are class ids)."""
    if mode in MASK_MODES:
        return ""
    return (
        f"is a {mode} image, not a palette or greyscale PNG of class ids: save masks as "
        "palette (P) or greyscale (L) PNGs whose pixel values are the class ids"
    )


def read_mask(path: Path, classes: int | None = None) -> np.ndarray:
    """The class ids of a mask as uint8 (H, W); MaskError for another kind of image or an id that
    is not a class (255, ignored, is always allowed)."""
    try:
        with Image.open(path) as img:
            mode = img.mode
            if mode in ("RGB", "RGBA"):
                rgb = np.asarray(img.convert("RGB"))
                if not (rgb[..., 0] == rgb[..., 1]).all() or not (rgb[..., 1] == rgb[..., 2]).all():
                    raise MaskError(path, mode_problem(mode))
                ids = rgb[..., 0].copy()  # grey stored as RGB: the ids are the grey levels
            elif mode_problem(mode):
                raise MaskError(path, mode_problem(mode))
            else:
                ids = np.asarray(img)
    except (OSError, UnidentifiedImageError) as exc:
        raise MaskError(path, f"cannot be read as a mask ({exc})") from None
    if ids.dtype == bool:
        ids = ids.astype(np.uint8)
    if ids.dtype != np.uint8:
        high = int(ids.max()) if ids.size else 0
        if high > IGNORE:
            raise MaskError(path, f"holds the value {high}; class ids are 0–254 and 255 (ignore)")
        ids = ids.astype(np.uint8)
    if classes is not None:
        check_ids(ids, classes, path)
    return ids


def check_ids(ids: np.ndarray, classes: int, path: object) -> None:
    """MaskError when `ids` hold a class id of `classes` or more (other than 255)."""
    valid = ids[ids != IGNORE]
    high = int(valid.max()) if valid.size else 0
    if high >= classes:
        raise MaskError(
            path,
            f"holds class id {high} but there are {classes} classes (ids 0–{classes - 1}, "
            f"{IGNORE} = ignore): add the missing names to classes.txt or correct the mask",
        )
