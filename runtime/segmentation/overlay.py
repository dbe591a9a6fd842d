"""Class colours and mask overlays for pictures of segmentations (panels, data samples)."""

from __future__ import annotations

import numpy as np

from runtime.segmentation import IGNORE

BASE_COLOURS = (
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
)  # fmt: skip
IGNORE_COLOUR = (255, 255, 255)


def class_colours(count: int) -> np.ndarray:
    """(count, 3) uint8 RGB colours, distinct for the first ten and varied in brightness after."""
    colours = np.array([BASE_COLOURS[i % len(BASE_COLOURS)] for i in range(count)], dtype=float)
    shade = 1.0 - 0.25 * ((np.arange(count) // len(BASE_COLOURS)) % 3)
    return np.clip(colours * shade[:, None], 0, 255).astype(np.uint8)


def rgb_image(image: np.ndarray) -> np.ndarray:
    """A uint8 (C, H, W) image as (H, W, 3) RGB (grey repeated)."""
    pixels = image.transpose(1, 2, 0)
    return np.repeat(pixels, 3, axis=2) if pixels.shape[2] == 1 else pixels[..., :3]


def overlay(image: np.ndarray, mask: np.ndarray, classes: int, alpha: float = 0.55) -> np.ndarray:
    """(H, W, 3) uint8: the image (C, H, W) with each pixel tinted in its class colour; ignored
    pixels (255) are whitened. The image is centre-cropped to a smaller mask."""
    rgb = rgb_image(image)
    h, w = mask.shape
    top, left = (rgb.shape[0] - h) // 2, (rgb.shape[1] - w) // 2
    rgb = rgb[top : top + h, left : left + w].astype(np.float32)
    palette = np.vstack([class_colours(classes), np.zeros((256 - classes, 3), np.uint8)])
    palette[IGNORE] = IGNORE_COLOUR
    tint = palette[mask].astype(np.float32)
    return np.clip(rgb * (1 - alpha) + tint * alpha, 0, 255).astype(np.uint8)
