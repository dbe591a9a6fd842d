"""The validation images an insight view studies, drawn from a lazy (file-by-file) source.

Insight tools work on a set in memory; a lazy source gives them its first readable validation
images, decoded as the network sees them (resized and centre-cropped, no augmentation), and the
channel statistics its training used."""

from __future__ import annotations

import numpy as np
from PIL import Image

from runtime.data.dataset import ImageSet
from runtime.data.errors import DataError
from runtime.data.index import Progress
from runtime.data.settings import DataSettings
from runtime.data.splits import open_splits
from runtime.data.stats import channel_stats
from runtime.data.transform import ImageTransform

VALIDATION_LIMIT = 1000
"""Validation images drawn from a lazy source for the insight views."""


def lazy_validation(
    settings: DataSettings,
    input_shape: tuple[int, int, int],
    limit: int = VALIDATION_LIMIT,
    progress: Progress | None = None,
) -> tuple[ImageSet, np.ndarray, np.ndarray, int]:
    """(the first `limit` readable validation images, mean, std, files skipped as unreadable)."""
    c, h, w = input_shape
    splits = open_splits(settings, progress)
    transform = ImageTransform(c, (h, w), settings.preprocess, train=False)
    # the same transform and cache key as training, so the statistics are the ones it used
    mean, std, _ = channel_stats(
        splits.train, transform, splits.identity, settings.preprocess.normalise
    )
    reader = splits.val
    images, labels, skipped = [], [], 0
    for i in range(len(reader)):
        if len(images) == limit:
            break
        try:
            images.append(transform(reader.load(i), None, where=reader.describe(i)))
        except (DataError, OSError, ValueError, Image.DecompressionBombError):
            skipped += 1
            continue
        labels.append(int(reader.labels[i]))
        if progress is not None and len(images) % 100 == 0:
            progress(len(images), "decoding validation images")
    if not images:
        raise DataError(None, f"none of the validation images of {splits.name} can be read")
    val = ImageSet(np.stack(images), np.array(labels, np.int64), splits.classes, splits.name)
    return val, mean, std, skipped
