"""An in-memory labelled image set: uint8 pixels (N, C, H, W) and integer labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.data.errors import DataError


@dataclass(frozen=True)
class ImageSet:
    """Images as uint8 (N, C, H, W), labels as int64 (N,) in [0, len(classes))."""

    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    name: str

    def __post_init__(self) -> None:
        if self.images.ndim != 4 or self.images.dtype != np.uint8:
            raise DataError(
                None,
                f"{self.name}: images must be uint8 N×C×H×W, got {self.images.dtype} "
                f"{self.images.shape}",
            )
        if self.labels.shape != (len(self.images),):
            raise DataError(
                None, f"{self.name}: {len(self.images)} images but {self.labels.size} labels"
            )
        if len(self.labels) and (self.labels.min() < 0 or self.labels.max() >= len(self.classes)):
            raise DataError(None, f"{self.name}: labels must lie in 0…{len(self.classes) - 1}")

    @property
    def shape(self) -> tuple[int, int, int]:
        """The (C, H, W) shape of one image."""
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index: np.ndarray) -> "ImageSet":
        """The samples at `index`, same classes."""
        return ImageSet(self.images[index], self.labels[index], self.classes, self.name)


def digit_classes() -> tuple[str, ...]:
    """Class names for the digit data sets."""
    return tuple(str(i) for i in range(10))
