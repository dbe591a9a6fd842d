"""Segmentation's share of a run: pixel confusion, IoU per class and the sample image with its
true and predicted masks (classification's counterparts beside them)."""

from __future__ import annotations

import numpy as np
import torch

from runtime.segmentation.metrics import class_iou, mean_iou, predicted_classes
from runtime.segmentation.metrics import confusion as pixel_confusion
from runtime.training.events import SegmentationSample
from runtime.training.run_state import RunState


def batch_confusion(
    logits: torch.Tensor, y: torch.Tensor, k: int, segmentation: bool
) -> torch.Tensor:
    """One validation batch's k×k confusion counts (true × predicted), flattened: of pixels when
    segmenting, of images when classifying."""
    if segmentation:
        return pixel_confusion(predicted_classes(logits), y, k).view(-1)
    return torch.bincount(y * k + logits.argmax(1), minlength=k * k)


def epoch_iou(confusion: np.ndarray, segmentation: bool) -> tuple[float | None, tuple[float, ...]]:
    """(mIoU, IoU per class) of a validation confusion matrix when segmenting; (None, ()) when
    classifying."""
    if not segmentation:
        return None, ()
    return mean_iou(confusion), tuple(float(v) for v in class_iou(confusion))


class RunSegmentation(RunState):
    """The segmentation sample of a run, shown after every epoch."""

    @torch.no_grad()
    def segmentation_sample(self) -> SegmentationSample:
        """The fixed validation image with its true and predicted masks."""
        self.s.model.eval()
        logits = self.s.model(self.probe_x[:1])
        predicted = predicted_classes(logits)[0].to(torch.uint8).cpu().numpy()
        self.s.model.train()
        fit = self.s.fit
        return SegmentationSample(
            self.step,
            self.epoch,
            self.s.data.first_val_image(),
            self.s.data.probe_mask(),
            predicted,
            fit.margin if fit is not None else (0, 0),
        )
