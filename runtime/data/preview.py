"""A preview grid of samples with their labels, for the data panel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.data.dataset import ImageSet
from runtime.data.mosaic import tile


@dataclass(frozen=True)
class Preview:
    """One mosaic image (H, W) or (H, W, 3) uint8, the label text of each tile, and the grid
    geometry."""

    image: np.ndarray
    labels: tuple[str, ...]
    columns: int
    tile_size: tuple[int, int]
    gap: int


def pick_per_class(labels: np.ndarray, classes: int, count: int, seed: int = 0) -> np.ndarray:
    """`count` positions, every class in turn (as far as `count` allows), each chosen at random
    (seeded), grouped by class."""
    count = min(count, len(labels))
    rng = np.random.default_rng(seed)
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in range(classes)]
    chosen: list[int] = []
    for turn in range(count):  # round-robin over the classes that still have samples
        for members in per_class:
            if len(chosen) < count and turn < len(members):
                chosen.append(int(members[turn]))
        if len(chosen) >= count:
            break
    return np.array(sorted(chosen, key=lambda i: (int(labels[i]), i)), dtype=np.int64)


def mosaic(
    images: np.ndarray, labels: np.ndarray, classes: tuple[str, ...], columns: int = 8, gap: int = 2
) -> Preview:
    """uint8 (N, C, H, W) images tiled `columns` wide with their class names."""
    tiles = images[:, 0] if images.shape[1] == 1 else images.transpose(0, 2, 3, 1)
    names = tuple(classes[int(i)] for i in labels)
    return Preview(tile(tiles, columns, gap, fill=64), names, columns, tuple(images.shape[2:]), gap)


def preview_grid(
    data: ImageSet, count: int = 32, columns: int = 8, seed: int = 0, gap: int = 2
) -> Preview:
    """`count` samples tiled `columns` wide, with their class names: every class in turn (as far
    as `count` allows), each sample chosen at random (seeded), grouped by class."""
    pick = pick_per_class(data.labels, len(data.classes), count, seed)
    return mosaic(data.images[pick], data.labels[pick], data.classes, columns, gap)
