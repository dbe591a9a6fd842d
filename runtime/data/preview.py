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
    """`count` samples tiled `columns` wide, with their class names: every class in turn (as far as `count`
    allows), each sample chosen at random (seeded), grouped by class."""
    count = min(count, len(data))
    rng = np.random.default_rng(seed)
    per_class = [rng.permutation(np.flatnonzero(data.labels == c)) for c in range(len(data.classes))]
    chosen: list[int] = []
    for turn in range(count):  # round-robin over the classes that still have samples
        for members in per_class:
            if len(chosen) < count and turn < len(members):
                chosen.append(int(members[turn]))
        if len(chosen) >= count:
            break
    pick = np.array(sorted(chosen, key=lambda i: (int(data.labels[i]), i)), dtype=np.int64)
    images = data.images[pick]
    images = images[:, 0] if images.shape[1] == 1 else images.transpose(0, 2, 3, 1)
    labels = tuple(data.classes[int(i)] for i in data.labels[pick])
    return Preview(tile(images, columns, gap, fill=64), labels, columns, tuple(data.shape[1:]), gap)
