"""Tile many small images into one array (one image item on screen instead of dozens)."""

from __future__ import annotations

import math

import numpy as np


def tile(
    images: np.ndarray, columns: int | None = None, gap: int = 1, fill: float = 0.0
) -> np.ndarray:
    """(N, H, W) or (N, H, W, 3) → one (rows·(H+gap)−gap, cols·(W+gap)−gap[, 3]) mosaic,
    row-major."""
    n, h, w = images.shape[:3]
    cols = columns or max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / cols))
    out = np.full(
        (rows * (h + gap) - gap, cols * (w + gap) - gap) + images.shape[3:],
        fill,
        dtype=images.dtype,
    )
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = images[i]
    return out


def scale_each(images: np.ndarray) -> np.ndarray:
    """Stretch each image (first axis) to 0–1 independently; flat images become 0.5."""
    flat = images.reshape(len(images), -1).astype(np.float32)
    low, high = flat.min(axis=1, keepdims=True), flat.max(axis=1, keepdims=True)
    span = np.where(high - low > 1e-12, high - low, 1.0)
    scaled = np.where(high - low > 1e-12, (flat - low) / span, 0.5)
    return scaled.reshape(images.shape)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """0–1 floats to 0–255 bytes."""
    return np.clip(np.round(images * 255.0), 0, 255).astype(np.uint8)
