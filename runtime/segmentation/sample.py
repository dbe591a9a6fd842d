"""The data panel's view of a segmentation set: images with their masks overlaid, and how many
images hold each class."""

from __future__ import annotations

import numpy as np

from runtime.data.preview import Preview
from runtime.data.sample import DataSample
from runtime.data.settings import DataSettings
from runtime.segmentation.overlay import overlay
from runtime.segmentation.pairs import find_pairs
from runtime.segmentation.source import refuse_without_masks, load_masks
from runtime.segmentation.stream_data import PairImages
from runtime.data.mosaic import tile


def _holding(masks: np.ndarray, classes: int) -> tuple[int, ...]:
    """How many masks hold each class."""
    return tuple(int((masks == k).any(axis=(1, 2)).sum()) for k in range(classes))


def draw_segmentation_sample(
    settings: DataSettings, input_shape: tuple[int, int, int], count: int = 16, seed: int = 0
) -> DataSample:
    """`count` training images with their masks overlaid in class colours, chosen with `seed`."""
    refuse_without_masks(settings)
    rng = np.random.default_rng(seed)
    if settings.source == "shapes":
        train, val = load_masks(settings, input_shape).split(
            settings.validation, settings.split_seed
        )
        pick = np.sort(rng.choice(len(train), min(count, len(train)), replace=False))
        images, masks, classes = train.images[pick], train.masks[pick], train.classes
        counts, val_counts = _holding(train.masks, len(classes)), _holding(val.masks, len(classes))
        name, layout = train.name, f"generated, {len(val)} held out"
    else:
        assert settings.path is not None
        splits = find_pairs(settings.path, settings.validation, settings.split_seed)
        reader, classes = PairImages(splits, input_shape), splits.classes
        pick = np.sort(rng.choice(len(splits.train), min(count, len(splits.train)), replace=False))
        decoded = [reader.load(0, int(i)) for i in pick]
        images = np.stack([d[0] for d in decoded])
        masks = np.stack([d[1] for d in decoded])
        counts, val_counts = _holding(masks, len(classes)), (0,) * len(classes)
        name = splits.name
        layout = f"{splits.layout}; classes counted in {len(pick)} sampled masks"
    tiles = np.stack([overlay(img, m, len(classes), 0.45) for img, m in zip(images, masks)])
    preview = Preview(tile(tiles, 8, 2, fill=64), ("",) * len(tiles), 8, tiles.shape[1:3], 2)
    return DataSample(
        name,
        settings.source,
        layout,
        classes,
        counts,
        val_counts,
        preview,
        (),
        False,
        "held in memory" if settings.source == "shapes" else "read file by file",
    )
