"""The "cache decoded images in memory": a lazy source decoded once, then served like MNIST.

Asked for with the data setting `cache`; taken without asking for small images whose training
preprocessing is fixed, where the cached pixels are exactly those the loader workers would make
(flips are then drawn for whole batches, and mean and std come from the whole training split)."""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import torch

from runtime.data.dataset import ImageSet
from runtime.data.device import DeviceData
from runtime.data.errors import DataError
from runtime.data.index import Progress
from runtime.data.lazy import LazyImages
from runtime.data.preprocess import Preprocess
from runtime.data.settings import DataSettings
from runtime.data.stream import BAD_LIMIT, REPORTED, StreamData, worker_context


def cache_bytes(samples: int, input_shape: tuple[int, int, int]) -> int:
    """Memory the decoded images take (uint8 at the network's input size)."""
    c, h, w = input_shape
    return samples * c * h * w


def free_bytes() -> int:
    """Memory available to this process now (MemAvailable; the physical total where unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def cache_fits(samples: int, input_shape: tuple[int, int, int]) -> tuple[bool, str]:
    """Whether caching fits in half the free memory, and the estimate in words."""
    need, free = cache_bytes(samples, input_shape), free_bytes()
    return (
        need <= free // 2,
        f"{need / 2**20:,.0f} MB for {samples:,} images ({free / 2**20:,.0f} MB free)",
    )


AUTOMATIC_PIXELS = 64 * 64
"""Inputs of at most this many pixels (per channel) are small enough to cache without asking."""
AUTOMATIC_BYTES = 256 * 2**20
"""The most memory a cache taken without asking may use."""


def fixed_preprocessing(preprocess: Preprocess, input_hw: tuple[int, int]) -> bool:
    """Whether training images are cut the same way every epoch (centre crop, no rotation, no
    colour jitter): a cache at the input size then changes nothing but the speed (flips are done
    on whole batches from memory)."""
    centre = preprocess.crop_for(input_hw) == "center"
    return centre and not preprocess.rotation and not preprocess.jitter


def automatic_cache(
    preprocess: Preprocess, samples: int, input_shape: tuple[int, int, int]
) -> str | None:
    """Why `samples` images are cached without being asked (None: they are streamed)."""
    c, h, w = input_shape
    if h * w > AUTOMATIC_PIXELS or not fixed_preprocessing(preprocess, (h, w)):
        return None
    fits, estimate = cache_fits(samples, input_shape)
    if not fits or cache_bytes(samples, input_shape) > AUTOMATIC_BYTES:
        return None
    return (
        f"small images with a fixed crop are decoded once into memory for training: {estimate}; "
        f"up to {AUTOMATIC_BYTES // 2**20} MB is taken this way without data setting 'cache'"
    )


def _lost_augmentation(preprocess: Preprocess, input_hw: tuple[int, int]) -> str:
    """What a cache at the input size leaves out of the training preprocessing, in words."""
    lost = [
        name
        for name, on in (
            ("random-resized crops", preprocess.crop_for(input_hw) == "random_resized"),
            ("rotation", bool(preprocess.rotation)),
            ("colour jitter", bool(preprocess.jitter)),
        )
        if on
    ]
    if not lost:
        return ""
    return f"; training images take the centre crop: {', '.join(lost)} are off while cached"


def _as_list(items: list) -> list:
    """Keep a batch's items as they are."""
    return items


def decode_all(
    stream: StreamData,
    settings: DataSettings,
    device: torch.device,
    channels_last: bool,
    progress: Progress | None = None,
    why: str = "",
) -> DeviceData:
    """Decode both splits once at the input size (no random crops) and hold them as uint8
    tensors; `why` is the note saying so (default: the data setting asked for it)."""
    c = stream.transforms[1].channels
    h, w = stream.transforms[1].size
    total = stream.train_size + stream.val_size
    fits, estimate = cache_fits(total, (c, h, w))
    if not fits:
        raise DataError(
            None, f"caching decoded images needs {estimate}: turn data setting 'cache' off"
        )
    fixed = LazyImages([stream.splits.train, stream.splits.val], [stream.transforms[1]] * 2)
    keys = [(0, i, 0) for i in range(stream.train_size)] + [
        (1, i, 0) for i in range(stream.val_size)
    ]
    batches = [keys[i : i + 256] for i in range(0, len(keys), 256)]
    loader = torch.utils.data.DataLoader(
        fixed,
        batch_sampler=batches,
        num_workers=stream.workers,
        collate_fn=_as_list,
        multiprocessing_context=worker_context(stream.workers),
    )
    pixels = [np.empty((n, c, h, w), np.uint8) for n in (stream.train_size, stream.val_size)]
    good = [np.zeros(stream.train_size, bool), np.zeros(stream.val_size, bool)]
    labels = [stream.splits.train.labels, stream.splits.val.labels]
    for done, items in enumerate(loader):
        for it in items:
            if it.pixels is None:
                stream.bad.setdefault((it.split, it.index), it.problem)
            else:
                pixels[it.split][it.index] = it.pixels
                good[it.split][it.index] = True
        if progress is not None:
            progress(min(total, (done + 1) * 256), "decoding images into memory")
    if len(stream.bad) > BAD_LIMIT * total:
        raise DataError(
            None,
            f"{len(stream.bad)} of {total:,} files cannot be read (more than "
            f"{BAD_LIMIT:.0%}); first: {'; '.join(stream.bad_names(REPORTED))}",
        )
    skipped = stream.drain_warnings()
    sets = [
        ImageSet(
            pixels[s][good[s]],
            np.asarray(labels[s])[good[s]].astype(np.int64),
            stream.classes,
            stream.splits.name,
        )
        for s in (0, 1)
    ]
    augment = replace(settings.augment, flip=settings.augment.flip or settings.preprocess.flip)
    data = DeviceData(sets[0], sets[1], augment, device, channels_last)
    why = why or (
        f"decoded images are cached in memory ({estimate})"
        + _lost_augmentation(settings.preprocess, (h, w))
    )
    data.notes = tuple(stream.notes) + (why,)
    data.skipped = skipped
    return data
