"""Coloured shapes: an RGB data set generated deterministically from a seed (no download needed)."""

from __future__ import annotations

import numpy as np

from runtime.data.dataset import ImageSet

SHAPES = ("circle", "square", "triangle", "cross", "ring")
FAMILIES = ("warm", "cool")
CLASSES = tuple(f"{family} {shape}" for family in FAMILIES for shape in SHAPES)


def _masks(
    kind: np.ndarray, cy: np.ndarray, cx: np.ndarray, r: np.ndarray, size: int
) -> np.ndarray:
    """Boolean (N, size, size) masks of each sample's shape, all computed at once."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    dy = yy[None] - cy[:, None, None]
    dx = xx[None] - cx[:, None, None]
    rr = r[:, None, None]
    dist = np.sqrt(dx * dx + dy * dy)
    bar = rr * 0.35
    shapes = np.stack(
        [
            dist <= rr,
            (np.abs(dx) <= rr * 0.85) & (np.abs(dy) <= rr * 0.85),
            (dy <= rr * 0.8) & (dy >= -rr) & (np.abs(dx) <= (dy + rr) * 0.6),
            ((np.abs(dx) <= bar) | (np.abs(dy) <= bar)) & (np.abs(dx) <= rr) & (np.abs(dy) <= rr),
            (dist <= rr) & (dist >= rr * 0.55),
        ]
    )
    return shapes[kind, np.arange(len(kind))]


def _colours(family: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, 3) foreground colours: reds/oranges/yellows for warm, blues/greens/purples for cool."""
    n = len(family)
    warm = np.stack(
        [rng.uniform(0.75, 1.0, n), rng.uniform(0.0, 0.7, n), rng.uniform(0.0, 0.25, n)], 1
    )
    cool = np.stack(
        [rng.uniform(0.0, 0.45, n), rng.uniform(0.2, 0.8, n), rng.uniform(0.7, 1.0, n)], 1
    )
    return np.where(family[:, None] == 0, warm, cool)


def generate_shapes(count: int = 3000, seed: int = 0, size: int = 32) -> ImageSet:
    """`count` images of 3×size×size, balanced over 10 classes; the same seed gives the same
    pixels."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % len(CLASSES)
    rng.shuffle(labels)
    family, kind = labels // len(SHAPES), labels % len(SHAPES)
    r = rng.uniform(size * 0.18, size * 0.32, count).astype(np.float32)
    cy = rng.uniform(r, size - 1 - r).astype(np.float32)
    cx = rng.uniform(r, size - 1 - r).astype(np.float32)
    mask = _masks(kind, cy, cx, r, size)
    background = rng.uniform(0.0, 0.35, (count, 3, 1, 1))
    noise = rng.normal(0.0, 0.04, (count, 3, size, size))
    fg = _colours(family, rng)[:, :, None, None]
    pixels = np.where(mask[:, None], fg, background) + noise
    images = np.clip(np.round(pixels * 255), 0, 255).astype(np.uint8)
    return ImageSet(
        images, labels.astype(np.int64), CLASSES, f"coloured shapes ({count}, seed {seed})"
    )
