"""The bundled segmentation demo: coloured shapes on textured backgrounds with their masks,
generated deterministically from a seed (nothing to download)."""

from __future__ import annotations

import numpy as np

from runtime.segmentation.maskset import MaskSet

CLASSES = ("background", "circle", "square", "triangle", "cross")
"""Class 0 is the background; the others are shape kinds."""
HUES = (0.0, 0.33, 0.62, 0.14)
"""Each shape kind's colour family (hue 0–1: red, green, blue, yellow), varied by ±HUE_SPREAD:
colour and outline together let a small network learn the demo within a minute on a CPU."""
HUE_SPREAD = 0.04
MAX_SHAPES = 3


def _hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(N, 3) RGB in 0–1 of hue, saturation and value arrays (N,) in 0–1."""
    k = (np.array([5.0, 3.0, 1.0]) + h[:, None] * 6) % 6
    return v[:, None] - v[:, None] * s[:, None] * np.clip(np.minimum(k, 4 - k), 0, 1)


def _shape_mask(kind: int, dy: np.ndarray, dx: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Boolean masks of one shape kind, given offsets from the centres and radii (N, 1, 1)."""
    if kind == 0:
        return dx * dx + dy * dy <= r * r
    if kind == 1:
        return (np.abs(dx) <= r * 0.85) & (np.abs(dy) <= r * 0.85)
    if kind == 2:
        return (dy <= r * 0.8) & (dy >= -r) & (np.abs(dx) <= (dy + r) * 0.6)
    bar = r * 0.35
    return ((np.abs(dx) <= bar) | (np.abs(dy) <= bar)) & (np.abs(dx) <= r) & (np.abs(dy) <= r)


def _texture(rng: np.random.Generator, count: int, channels: int, h: int, w: int) -> np.ndarray:
    """Float (N, C, H, W) backgrounds in 0–1: a base colour with stripes of random angle and
    period, and pixel noise."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi, count)[:, None, None]
    period = rng.uniform(6, 20, count)[:, None, None]
    phase = rng.uniform(0, 2 * np.pi, count)[:, None, None]
    wave = np.sin(2 * np.pi * (np.cos(angle) * xx + np.sin(angle) * yy) / period + phase)
    grey = rng.uniform(0.15, 0.75, (count, 1, 1, 1))
    base = grey + rng.uniform(-0.12, 0.12, (count, channels, 1, 1))  # weakly tinted
    tint = rng.uniform(-0.15, 0.15, (count, channels, 1, 1))
    noise = rng.normal(0.0, 0.04, (count, channels, h, w)).astype(np.float32)
    return (base + tint * wave[:, None]).astype(np.float32) + noise


def generate_demo(
    count: int = 600, seed: int = 0, shape: tuple[int, int, int] = (3, 128, 128)
) -> MaskSet:
    """`count` images of `shape` holding one to three shapes each (later ones on top), with masks
    of class ids (CLASSES); the same seed gives the same pixels."""
    channels, h, w = shape
    size = max(h, w)
    rng = np.random.default_rng(seed)
    pixels = _texture(rng, count, channels, h, w)
    masks = np.zeros((count, h, w), dtype=np.uint8)
    drawn = rng.integers(1, MAX_SHAPES + 1, count)
    yy = np.arange(h, dtype=np.float32)[None, :, None]
    xx = np.arange(w, dtype=np.float32)[None, None, :]
    for layer in range(MAX_SHAPES):
        kind = rng.integers(0, len(CLASSES) - 1, count)
        r = rng.uniform(size * 0.12, size * 0.24, count).astype(np.float32)
        cy = rng.uniform(r, h - 1 - r).astype(np.float32)[:, None, None]
        cx = rng.uniform(r, w - 1 - r).astype(np.float32)[:, None, None]
        hue = (np.asarray(HUES)[kind] + rng.uniform(-HUE_SPREAD, HUE_SPREAD, count)) % 1.0
        rgb = _hsv_to_rgb(hue, rng.uniform(0.55, 1.0, count), rng.uniform(0.55, 1.0, count))
        colour = rgb if channels == 3 else rgb.mean(1, keepdims=True).repeat(channels, 1)
        colour = colour.astype(np.float32)[:, :, None, None]
        for k in range(len(CLASSES) - 1):
            pick = np.flatnonzero((kind == k) & (layer < drawn))
            inside = _shape_mask(k, yy - cy[pick], xx - cx[pick], r[pick, None, None])
            masks[pick] = np.where(inside, k + 1, masks[pick])
            pixels[pick] = np.where(inside[:, None], colour[pick], pixels[pick])
    images = np.clip(np.round(pixels * 255), 0, 255).astype(np.uint8)
    return MaskSet(images, masks, CLASSES, f"shapes with masks ({count}, seed {seed})")
