"""Open the data set a project's data settings name: in memory, or lazily in worker processes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from runtime.data.bundled import load_digits_8x8, load_mnist_5k
from runtime.data.cifar import load_cifar10
from runtime.data.dataset import ImageSet
from runtime.data.errors import DataError
from runtime.data.idx import load_idx
from runtime.data.settings import DataSettings
from runtime.data.shapes import generate_shapes

if TYPE_CHECKING:
    import torch

    from runtime.data.device import DeviceData
    from runtime.data.index import Progress
    from runtime.data.stream import StreamData


def load_images(settings: DataSettings, channels: int = 3) -> ImageSet:
    """The whole labelled set an in-memory source names (not yet split)."""
    if settings.source == "mnist":
        return load_mnist_5k()
    if settings.source == "digits":
        return load_digits_8x8()
    if settings.source == "shapes":
        return generate_shapes(settings.shapes_count, settings.split_seed)
    if settings.source == "idx":
        return load_idx(settings.path, settings.labels)
    if settings.source == "cifar10":
        return load_cifar10(settings.path)
    raise DataError(
        None,
        f"data source {settings.source!r} is read file by file, not loaded whole "
        "(this needs mnist, digits, shapes, idx or cifar10)",
    )


def check_fits(data: ImageSet, input_shape: tuple[int, int, int], where: object = None) -> None:
    """Raise DataError unless the images are exactly the network's input size."""
    if data.shape != tuple(input_shape):
        c, h, w = data.shape
        ic, ih, iw = input_shape
        raise DataError(
            where,
            f"{data.name} has {c}×{h}×{w} images but the network's input is {ic}×{ih}×{iw}: "
            "change the project's input size or choose another data set",
        )
    counts = np.bincount(data.labels, minlength=len(data.classes))
    if (counts > 0).sum() < 2:
        raise DataError(where, f"{data.name} holds only one class; a classifier needs at least two")


def open_data(
    settings: DataSettings,
    input_shape: tuple[int, int, int],
    device: "torch.device",
    seed: int = 0,
    channels_last: bool = False,
    progress: "Progress | None" = None,
) -> "DeviceData | StreamData":
    """The split data set as batches on `device`: DeviceData for in-memory sources (and lazy ones
    cached in memory), StreamData for sources decoded file by file in worker processes."""
    from runtime.data.device import DeviceData
    from runtime.data.split import split

    if not settings.lazy:
        images = load_images(settings, input_shape[0])
        check_fits(images, input_shape)
        train, val = split(images, settings.validation, settings.split_seed)
        return DeviceData(train, val, settings.augment, device, channels_last)
    from runtime.data.memory_cache import automatic_cache, decode_all
    from runtime.data.splits import open_splits
    from runtime.data.stream import StreamData

    splits = open_splits(settings, progress)
    stream = StreamData(splits, settings, input_shape, device, seed, channels_last)
    if settings.cache:
        return decode_all(stream, settings, device, channels_last, progress)
    why = automatic_cache(settings.preprocess, stream.train_size + stream.val_size, input_shape)
    if why is None:
        return stream
    return decode_all(stream, settings, device, channels_last, progress, why)
