"""Validation of a run: loss, accuracy and confusion matrix over the validation set (added over
every process when distributed)."""

from __future__ import annotations

from typing import Any

import torch

from runtime.training.run_exchange import sum_validation
from runtime.training.run_segmentation import batch_confusion
from runtime.training.run_steps import RunSteps


class RunValidation(RunSteps):
    """Scoring a run's model on the validation set."""

    @torch.no_grad()
    def evaluate(self) -> tuple[float, float, Any]:
        """Validation loss, accuracy (of pixels, when segmenting) and confusion matrix (one device
        sync at the end)."""
        model, k = self.s.model, len(self.s.data.classes)
        model.eval()
        # distributed: each process scores its share with the plain model (the wrapper would
        # exchange buffers per batch, and shares may differ by a batch), then the sums are added
        fn = model if self.s.ddp is not None else None
        total = torch.zeros((), device=self.s.device)
        confusion = torch.zeros(k * k, dtype=torch.long, device=self.s.device)
        samples = 0
        for x, y in self.s.data.val_batches():
            logits, loss = self._forward_loss(x, y, fn)
            total += loss.float() * len(y)
            samples += len(y)
            confusion += batch_confusion(logits, y, k, self.s.segmentation)
        model.train()
        if self.world is not None:
            total, confusion, samples = sum_validation(total, confusion, samples, self.s.device)
        matrix = confusion.view(k, k).cpu().numpy()
        n = max(1, int(matrix.sum()))
        scored = samples if self.s.segmentation else n  # classifying, one matrix entry per sample
        return float(total) / max(1, scored), float(matrix.trace()) / n, matrix
