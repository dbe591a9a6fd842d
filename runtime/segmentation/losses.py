"""Per-pixel losses: cross-entropy (ignore index, class weights, label smoothing), soft Dice,
and their sum."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from runtime.segmentation import IGNORE
from runtime.training.settings import SettingsError, TrainingSettings

SEGMENTATION_LOSSES = ("cross_entropy", "dice", "cross_entropy_dice")
"""The `loss` choices a segmentation project accepts."""

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def parse_weights(text: str, classes: int) -> list[float] | None:
    """Comma-separated class weights, one per class (None when empty)."""
    if not text.strip():
        return None
    try:
        weights = [float(part) for part in text.split(",")]
    except ValueError:
        raise SettingsError(
            "class_weights", f"must be numbers separated by commas, got {text[:60]!r}"
        ) from None
    if len(weights) != classes:
        raise SettingsError(
            "class_weights", f"gives {len(weights)} weights but the data has {classes} classes"
        )
    if not all(0 <= w < 1e6 for w in weights) or not any(weights):
        raise SettingsError("class_weights", "weights must be 0 or more, at least one above 0")
    return weights


def soft_dice(logits: torch.Tensor, truth: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """1 − the mean over classes of 2|P∩T| / (|P| + |T|) with softmax probabilities; ignored
    pixels count for nothing."""
    k = logits.shape[1]
    probs = torch.softmax(logits.float(), dim=1)
    valid = (truth != IGNORE).unsqueeze(1)
    onehot = F.one_hot(torch.where(valid.squeeze(1), truth, 0).long(), k).permute(0, 3, 1, 2)
    probs = probs * valid
    onehot = onehot * valid
    dims = (0, 2, 3)
    overlap = (probs * onehot).sum(dims)
    sizes = probs.sum(dims) + onehot.sum(dims)
    return 1 - ((2 * overlap + eps) / (sizes + eps)).mean()


def make_segmentation_loss(s: TrainingSettings, classes: int, device: torch.device) -> Loss:
    """loss(logits (N, K, H, W), masks (N, H, W)) → a scalar tensor, as the settings name it."""
    if s.loss not in SEGMENTATION_LOSSES:
        raise SettingsError(
            "loss",
            f"'{s.loss}' is a classification loss; a segmentation project uses "
            f"{', '.join(SEGMENTATION_LOSSES)}",
        )
    weights = parse_weights(s.class_weights, classes)
    weight = None if weights is None else torch.tensor(weights, device=device)
    smoothing = s.label_smoothing

    def cross_entropy(logits: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(
            logits.float(), truth, weight, ignore_index=IGNORE, label_smoothing=smoothing
        )

    if s.loss == "cross_entropy":
        return cross_entropy
    if s.loss == "dice":
        return soft_dice

    def both(logits: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
        return cross_entropy(logits, truth) + soft_dice(logits, truth)

    return both
