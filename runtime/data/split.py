"""Seeded train/validation split and normalisation statistics of the training split."""

from __future__ import annotations

import numpy as np

from runtime.data.dataset import ImageSet
from runtime.data.errors import DataError


def split_index(n: int, validation: float, seed: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (training, validation) positions of n samples, a seeded fraction (< 1) or count (≥ 1)
    held out."""
    held = int(round(n * validation)) if validation < 1 else int(validation)
    if not 1 <= held <= n - 1:
        raise DataError(None, f"cannot hold out {held} of {n} samples of {name} for validation")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def split(data: ImageSet, validation: float, seed: int) -> tuple[ImageSet, ImageSet]:
    """Shuffle with `seed` and hold out a fraction (< 1) or a count (≥ 1) for validation."""
    train, val = split_index(len(data), validation, seed, data.name)
    return data.subset(train), data.subset(val)


def channel_stats(data: ImageSet) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of the pixels scaled to 0–1."""
    pixels = data.images.astype(np.float64) / 255.0
    mean = pixels.mean(axis=(0, 2, 3))
    std = pixels.std(axis=(0, 2, 3))
    return mean.astype(np.float32), np.maximum(std, 1e-3).astype(np.float32)


def pca_basis(data: ImageSet) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (3,) and eigenvectors (3, 3) of the RGB covariance, for AlexNet's PCA colour
    jitter."""
    sample = data.images[:2000].astype(np.float64) / 255.0
    rgb = sample.transpose(0, 2, 3, 1).reshape(-1, 3)
    values, vectors = np.linalg.eigh(np.cov(rgb, rowvar=False))
    return np.maximum(values, 0).astype(np.float32), vectors.astype(np.float32)


def held_out_text(validation: float) -> str:
    """How a random validation share is described to people: 'random 20%' or 'random 1,000'."""
    return f"random {validation:.0%}" if validation < 1 else f"random {int(validation):,}"


def class_counts(labels: np.ndarray, classes: int) -> list[int]:
    """Images per class id, for every one of `classes` ids (zeros included)."""
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=classes).tolist()
