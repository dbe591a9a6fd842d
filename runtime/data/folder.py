"""A folder of images with one sub-folder per class (PNG/JPEG), read with Pillow."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from runtime.data.dataset import ImageSet
from runtime.data.errors import DataError

EXTENSIONS = {".png", ".jpg", ".jpeg"}


def _class_folders(root: Path) -> list[tuple[str, list[Path]]]:
    """(class name, image files) for each sub-folder, sorted by name; checks the folder's layout."""
    if not root.is_dir():
        raise DataError(root, "is not a folder" if root.exists() else "does not exist")
    classes = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(f for f in sub.iterdir() if f.is_file() and f.suffix.lower() in EXTENSIONS)
        if files:
            classes.append((sub.name, files))
    if not classes:
        raise DataError(root, "holds no class sub-folders with PNG or JPEG images "
                              "(expected one sub-folder of images per class)")
    if len(classes) < 2:
        raise DataError(root, f"holds only one class ('{classes[0][0]}'); a classifier needs at least two "
                              "sub-folders of images")
    return classes


def _read_image(path: Path, mode: str) -> np.ndarray:
    """One image as uint8 (C, H, W) in `mode` ('L' or 'RGB')."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise DataError(path, "reading image folders needs Pillow: pip install pillow") from None
    try:
        with Image.open(path) as img:
            pixels = np.asarray(img.convert(mode), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise DataError(path, f"is not a readable image ({exc})") from None
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)


def load_folder(root: str | Path, channels: int = 3) -> ImageSet:
    """Every image under `root`, labelled by sub-folder; all images must have the same size."""
    root = Path(root)
    mode = "RGB" if channels == 3 else "L"
    images, labels, first = [], [], None
    names = []
    for label, (name, files) in enumerate(_class_folders(root)):
        names.append(name)
        for f in files:
            pixels = _read_image(f, mode)
            if first is None:
                first = (f, pixels.shape)
            elif pixels.shape != first[1]:
                raise DataError(f, f"is {pixels.shape[2]}×{pixels.shape[1]} pixels but {first[0].name} is "
                                   f"{first[1][2]}×{first[1][1]}; every image must have the same size")
            images.append(pixels)
            labels.append(label)
    return ImageSet(np.stack(images), np.asarray(labels, dtype=np.int64), tuple(names), root.name)
