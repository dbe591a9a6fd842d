"""A preview grid of samples with their labels, for the data panel."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.data.dataset import ImageSet
from runtime.data.mosaic import tile


@dataclass(frozen=True)
class Preview:
    """One mosaic image (H, W) or (H, W, 3) uint8, the label text of each tile, and the grid geometry."""

    image: np.ndarray
    labels: tuple[str, ...]
    columns: int
    tile_size: tuple[int, int]
    gap: int


def preview_grid(data: ImageSet, count: int = 32, columns: int = 8, seed: int = 0, gap: int = 2) -> Preview:
    """`count` randomly chosen samples (seeded) tiled `columns` wide, with their class names."""
    count = min(count, len(data))
    pick = np.sort(np.random.default_rng(seed).choice(len(data), count, replace=False))
    images = data.images[pick]
    images = images[:, 0] if images.shape[1] == 1 else images.transpose(0, 2, 3, 1)
    labels = tuple(data.classes[int(i)] for i in data.labels[pick])
    return Preview(tile(images, columns, gap, fill=64), labels, columns, tuple(data.shape[1:]), gap)
