"""Batched augmentation and the on-device data set."""

import numpy as np
import torch

from runtime.data import Augment, DeviceData
from runtime.data.augment import pca_jitter, random_crop, random_flip
from runtime.data.shapes import generate_shapes
from runtime.data.split import split


def test_random_crop_shifts_each_image_within_padding():
    gen = torch.Generator().manual_seed(0)
    x = torch.arange(2 * 1 * 6 * 6, dtype=torch.float32).view(2, 1, 6, 6) + 1
    out = random_crop(x, 2, gen)
    assert out.shape == x.shape
    for i in range(2):
        padded = torch.nn.functional.pad(x[i], (2, 2, 2, 2))
        hits = [
            (dy, dx)
            for dy in range(5)
            for dx in range(5)
            if torch.equal(padded[:, dy : dy + 6, dx : dx + 6], out[i])
        ]
        assert hits, "every crop is a window of the padded image"


def test_flip_mirrors_about_half():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(400, 1, 3, 4)
    out = random_flip(x, gen)
    flipped = torch.tensor([torch.equal(o, a.flip(2)) for o, a in zip(out, x)])
    kept = torch.tensor([torch.equal(o, a) for o, a in zip(out, x)])
    assert bool((flipped | kept).all()) and 120 < int(flipped.sum()) < 280


def test_pca_jitter_adds_one_colour_shift_per_image():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(5, 3, 4, 4)
    values, vectors = torch.tensor([0.1, 0.01, 0.001]), torch.eye(3)
    out = pca_jitter(x, values, vectors, 0.5, gen)
    shift = out - x
    assert torch.allclose(shift, shift[:, :, :1, :1].expand_as(shift), atol=1e-6)
    assert shift.abs().max() > 0


def test_device_data_batches_are_normalised_and_augmented():
    data = generate_shapes(120, seed=0)
    train, val = split(data, 0.25, 0)
    dd = DeviceData(train, val, Augment(2, True, 0.1), torch.device("cpu"))
    gen = torch.Generator().manual_seed(1)
    batches = list(dd.train_batches(32, gen))
    assert len(batches) == dd.steps_per_epoch(32) == 2 and batches[0][0].shape == (32, 3, 32, 32)
    x, y = next(dd.val_batches())
    assert x.shape == (30, 3, 32, 32) and y.dtype == torch.int64
    all_train = dd.normalise(dd.train_x)
    assert np.allclose(all_train.mean(dim=(0, 2, 3)).numpy(), 0, atol=1e-4)
    assert dd.pca is not None
