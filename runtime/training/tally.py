"""Training loss and correct predictions summed on the device between reads (no sync per
iteration)."""

from __future__ import annotations

from collections.abc import Callable

import torch

FOLD_STEPS = 16
"""Kept logits are folded into the on-device sums at least every this many iterations (bounds their
memory)."""


Scorer = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
"""(number right, number scored) of a batch's logits against its labels or masks."""


def correct_labels(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Images whose top class is the label, out of the batch."""
    return (logits.argmax(1) == labels).sum(), torch.tensor(len(labels), device=labels.device)


class Tally:
    """Training loss and correct predictions summed since the last read, with no device sync per
    iteration.

    Where reading a value is free (CPU) the loss the loop already read and the correct counts are
    kept as Python numbers; otherwise loss tensors are kept and folded into on-device sums. Logits
    and labels are kept and scored in one batch every FOLD_STEPS iterations and at each read: a
    handful of batched operations instead of five small ones per iteration."""

    def __init__(self, device: torch.device, score: Scorer = correct_labels) -> None:
        self.on_device = device.type != "cpu"
        self.score = score
        self.sums = torch.zeros(3, device=device) if self.on_device else None
        self.loss = 0.0
        self.correct = 0
        self.counted = 0
        self.losses: list[torch.Tensor] = []
        self.logits: list[torch.Tensor] = []
        self.labels: list[torch.Tensor] = []

    def add(self, loss: float | torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        """One iteration's loss (a float when already read), logits and labels."""
        if isinstance(loss, float):
            self.loss += loss
        else:
            self.losses.append(loss.detach())
        self.logits.append(logits.detach())
        self.labels.append(labels)
        if len(self.logits) >= FOLD_STEPS:
            self.fold()

    def fold(self) -> None:
        """Score and sum what is kept (asynchronously on a GPU) and drop it."""
        if self.logits:
            logits = torch.cat(self.logits) if len(self.logits) > 1 else self.logits[0]
            labels = torch.cat(self.labels) if len(self.labels) > 1 else self.labels[0]
            correct, counted = self.score(logits, labels)
            if self.on_device:
                self.sums[1] += correct
                self.sums[2] += counted
            else:
                self.correct += int(correct)
                self.counted += int(counted)
            self.logits.clear()
            self.labels.clear()
        if self.losses:
            loss = torch.stack(self.losses).float().sum()
            if self.on_device:
                self.sums[0] += loss
            else:
                self.loss += float(loss)
            self.losses.clear()

    def read(self) -> tuple[float, float, float]:
        """(loss sum, number correct, number scored) since the last read or reset, with at most one
        device read; then reset."""
        self.fold()
        loss, correct, counted = self.loss, float(self.correct), float(self.counted)
        if self.on_device:
            on_device = self.sums.tolist()
            loss, correct = loss + on_device[0], correct + on_device[1]
            counted += on_device[2]
        self.reset()
        return loss, correct, counted

    def reset(self) -> None:
        """Forget everything summed or kept."""
        if self.on_device:
            self.sums.zero_()
        self.loss = 0.0
        self.correct = 0
        self.counted = 0
        self.losses.clear()
        self.logits.clear()
        self.labels.clear()
