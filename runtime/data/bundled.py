"""The data sets shipped with ConvStudio (assets/data/*.npz), read without pickle."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from runtime.data.dataset import ImageSet, digit_classes
from runtime.data.errors import DataError

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "data"


def _load_npz(filename: str, name: str) -> ImageSet:
    """Read images/labels uint8 arrays from a bundled .npz file."""
    path = ASSETS / filename
    try:
        with np.load(path, allow_pickle=False) as archive:
            images, labels = archive["images"], archive["labels"].astype(np.int64)
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(
            path, f"bundled data set cannot be read ({exc}); reinstall ConvStudio"
        ) from None
    return ImageSet(images, labels, digit_classes(), name)


def load_mnist_5k() -> ImageSet:
    """5,000 MNIST digits (500 per class), 1×28×28."""
    return _load_npz("mnist_5k.npz", "MNIST (5,000 digits)")


def load_digits_8x8() -> ImageSet:
    """1,797 UCI optical digits, 1×8×8, scaled to 0–255."""
    return _load_npz("digits_8x8.npz", "8×8 digits")
