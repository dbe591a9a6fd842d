"""An in-memory segmentation set: uint8 images (N, C, H, W) and their uint8 masks (N, H, W)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.data.split import split_index
from runtime.segmentation.errors import MaskError
from runtime.segmentation.masks import check_ids


@dataclass(frozen=True)
class MaskSet:
    """Images with one class id per pixel (255: ignored)."""

    images: np.ndarray
    masks: np.ndarray
    classes: tuple[str, ...]
    name: str

    def __post_init__(self) -> None:
        if self.images.ndim != 4 or self.images.dtype != np.uint8:
            raise MaskError(None, f"{self.name}: images must be uint8 N×C×H×W")
        if self.masks.shape != (len(self.images), *self.images.shape[2:]):
            raise MaskError(
                None,
                f"{self.name}: masks are {self.masks.shape}, images {self.images.shape}: "
                "each image needs one mask of its height and width",
            )
        check_ids(self.masks, len(self.classes), self.name)

    def __len__(self) -> int:
        return len(self.images)

    @property
    def shape(self) -> tuple[int, int, int]:
        """The (C, H, W) shape of one image."""
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    def subset(self, index: np.ndarray) -> "MaskSet":
        """The samples at `index`."""
        return MaskSet(self.images[index], self.masks[index], self.classes, self.name)

    def split(self, validation: float, seed: int) -> tuple["MaskSet", "MaskSet"]:
        """A seeded hold-out: a fraction (< 1) or a count (≥ 1) of the samples for validation."""
        train, val = split_index(len(self), validation, seed, self.name)
        return self.subset(train), self.subset(val)
