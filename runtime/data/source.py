"""Load the data set a project's data settings name, and check it fits the network's input."""
from __future__ import annotations

import numpy as np

from runtime.data.bundled import load_digits_8x8, load_mnist_5k
from runtime.data.cifar import load_cifar10
from runtime.data.dataset import ImageSet
from runtime.data.errors import DataError
from runtime.data.folder import load_folder
from runtime.data.idx import load_idx
from runtime.data.settings import DataSettings
from runtime.data.shapes import generate_shapes


def load_images(settings: DataSettings, channels: int = 3) -> ImageSet:
    """The whole labelled set the settings name (not yet split)."""
    if settings.source == "mnist":
        return load_mnist_5k()
    if settings.source == "digits":
        return load_digits_8x8()
    if settings.source == "shapes":
        return generate_shapes(settings.shapes_count, settings.split_seed)
    if settings.source == "folder":
        return load_folder(settings.path, channels)
    if settings.source == "idx":
        return load_idx(settings.path, settings.labels)
    return load_cifar10(settings.path)


def check_fits(data: ImageSet, input_shape: tuple[int, int, int], where: object = None) -> None:
    """Raise DataError unless the images are exactly the network's input size."""
    if data.shape != tuple(input_shape):
        c, h, w = data.shape
        ic, ih, iw = input_shape
        raise DataError(where, f"{data.name} has {c}×{h}×{w} images but the network's input is {ic}×{ih}×{iw}: "
                               "change the project's input size or choose another data set")
    counts = np.bincount(data.labels, minlength=len(data.classes))
    if (counts > 0).sum() < 2:
        raise DataError(where, f"{data.name} holds only one class; a classifier needs at least two")
