"""What the data panel shows: the source, images per class, and a sample after preprocessing."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch

from runtime.data.augment import colour_jitter, pca_jitter, random_crop, random_flip
from runtime.data.decode import BadImage
from runtime.data.index import Progress
from runtime.data.memory_cache import automatic_cache, cache_fits
from runtime.data.preview import Preview, mosaic, pick_per_class
from runtime.data.settings import DataSettings
from runtime.data.split import class_counts, held_out_text, pca_basis, split


@dataclass(frozen=True)
class DataSample:
    """A data set's summary and a freshly augmented sample of its training split."""

    name: str
    source: str
    layout: str
    classes: tuple[str, ...]
    train_counts: tuple[int, ...]
    val_counts: tuple[int, ...]
    preview: Preview
    notes: tuple[str, ...]
    cache_fits: bool
    cache_estimate: str
    skipped: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """Images in both splits."""
        return sum(self.train_counts) + sum(self.val_counts)


def _to_uint8(x: torch.Tensor) -> np.ndarray:
    return (x.clamp(0, 1) * 255).round().to(torch.uint8).numpy()


def draw_sample(
    settings: DataSettings,
    input_shape: tuple[int, int, int],
    count: int = 32,
    seed: int = 0,
    progress: Progress | None = None,
) -> DataSample:
    """Open the data set and draw `count` training images (every class in turn) as the network sees
    them: cropped, resized, flipped, rotated and colour-jittered with `seed` (before
    standardisation)."""
    if settings.lazy:
        return _lazy_sample(settings, input_shape, count, seed, progress)
    from runtime.data.source import check_fits, load_images

    data = load_images(settings, input_shape[0])
    check_fits(data, input_shape)
    train, val = split(data, settings.validation, settings.split_seed)
    k = len(data.classes)
    pick = pick_per_class(train.labels, k, count, seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(train.images[pick]).float() / 255.0
    aug = settings.augment
    if aug.crop_padding:
        x = random_crop(x, aug.crop_padding, gen)
    if aug.flip:
        x = random_flip(x, gen)
    if aug.pca_jitter > 0 and x.shape[1] == 3:
        values, vectors = (torch.from_numpy(a) for a in pca_basis(train))
        x = pca_jitter(x, values, vectors, aug.pca_jitter, gen)
    held = held_out_text(settings.validation)
    return DataSample(
        data.name,
        settings.source,
        held,
        data.classes,
        tuple(class_counts(train.labels, k)),
        tuple(class_counts(val.labels, k)),
        mosaic(_to_uint8(x), train.labels[pick], data.classes),
        (),
        False,
        "held in memory already",
    )


def _lazy_sample(
    settings: DataSettings,
    input_shape: tuple[int, int, int],
    count: int,
    seed: int,
    progress: Progress | None,
) -> DataSample:
    """The lazy sources' sample, decoded here (a few dozen images)."""
    from runtime.data.splits import open_splits
    from runtime.data.stats import adaptation_notes, channel_stats
    from runtime.data.transform import ImageTransform

    c, h, w = input_shape
    splits = open_splits(settings, progress)
    k = len(splits.classes)
    train_t = ImageTransform(c, (h, w), settings.preprocess, train=True)
    _, _, seen = channel_stats(
        splits.train,
        ImageTransform(c, (h, w), settings.preprocess, train=False),
        splits.identity,
        settings.preprocess.normalise,
    )
    pixels, labels, skipped = [], [], []
    first = pick_per_class(splits.train.labels, k, count, seed)
    spare = [
        i for i in pick_per_class(splits.train.labels, k, count + 8, seed) if i not in set(first)
    ]
    for i in list(first) + spare:  # spares stand in for unreadable files
        if len(pixels) == count:
            break
        try:
            pixels.append(
                train_t(
                    splits.train.load(int(i)),
                    random.Random(seed * 1_000_003 + int(i)),
                    where=splits.train.describe(int(i)),
                )
            )
            labels.append(int(splits.train.labels[i]))
        except BadImage as exc:
            skipped.append(str(exc))
    if not pixels:
        raise BadImage(
            None,
            f"none of the sampled images of {splits.name} can be read: "
            f"{skipped[0] if skipped else ''}",
        )
    x = torch.from_numpy(np.stack(pixels)).float() / 255.0
    if settings.preprocess.jitter:
        x = colour_jitter(x, settings.preprocess.jitter, torch.Generator().manual_seed(seed))
    order = np.argsort(np.asarray(labels), kind="stable")
    fits, estimate = cache_fits(len(splits.train) + len(splits.val), input_shape)
    notes = adaptation_notes(seen, c, (h, w), settings.preprocess.shorter_side((h, w)))
    total = len(splits.train) + len(splits.val)
    automatic = automatic_cache(settings.preprocess, total, input_shape)
    if automatic is not None and not settings.cache:
        notes.append(automatic)
    return DataSample(
        splits.name,
        settings.source,
        splits.layout,
        splits.classes,
        tuple(class_counts(splits.train.labels, k)),
        tuple(class_counts(splits.val.labels, k)),
        mosaic(_to_uint8(x)[order], np.asarray(labels)[order], splits.classes),
        tuple(notes),
        fits,
        estimate,
        tuple(skipped),
    )
