"""The fine-tune recipe: train the classifier head alone for some epochs, then everything at a lower
rate."""

from __future__ import annotations

import torch
from torch import nn

from runtime.project import Project
from runtime.training.recipe import Schedule
from runtime.transfer import apply_freezing, head_node

_SCALED_KEYS = ("lr", "initial_lr", "max_lr", "min_lr")


class FineTune:
    """Freezes all but the head while `epoch < head_epochs`; at that epoch unfreezes (nodes the user
    froze stay frozen) and multiplies every learning rate by `lr_factor`."""

    def __init__(
        self,
        model: nn.Module,
        project: Project,
        schedule: Schedule,
        head_epochs: int,
        lr_factor: float,
    ) -> None:
        self.model = model
        self.project = project
        self.schedule = schedule
        self.head_epochs = head_epochs
        self.lr_factor = lr_factor
        head = head_node(project.graph) if head_epochs else None
        self.head = head.name if head else None
        self.phase = "all"

    @property
    def active(self) -> bool:
        """True when the recipe is on and the network has a head to train alone."""
        return self.head_epochs > 0 and self.head is not None

    def before_epoch(self, epoch: int) -> None:
        """Switch phase when `epoch` crosses the head-only span."""
        if not self.active:
            return
        if epoch < self.head_epochs and self.phase != "head":
            body = {name for name, _ in self.model.named_children() if name != self.head}
            apply_freezing(self.model, self.project, extra=body)
            self.phase = "head"
        elif epoch >= self.head_epochs and self.phase == "head":
            apply_freezing(self.model, self.project)
            scale_learning_rate(self.schedule, self.lr_factor)
            self.phase = "all"


def scale_learning_rate(schedule: Schedule, factor: float) -> None:
    """Multiply the optimizer's rates and the schedule's base rates by `factor`."""
    optimizer: torch.optim.Optimizer = schedule.optimizer
    for group in optimizer.param_groups:
        for key in _SCALED_KEYS:
            if isinstance(group.get(key), (int, float)):
                group[key] *= factor
    inner = schedule.inner
    if inner is not None and hasattr(inner, "base_lrs"):
        inner.base_lrs = [lr * factor for lr in inner.base_lrs]
    if inner is not None and hasattr(inner, "min_lrs"):
        inner.min_lrs = [lr * factor for lr in inner.min_lrs]
