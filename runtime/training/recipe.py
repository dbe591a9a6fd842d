"""Optimizer, learning-rate schedule, loss and weight initialisation built from the settings."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from runtime.training.settings import SettingsError, TrainingSettings


def make_optimizer(params: list[nn.Parameter], s: TrainingSettings) -> torch.optim.Optimizer:
    """The optimizer the settings name."""
    opt, lr, wd = s.optimizer, s.lr, s.weight_decay
    if opt in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD(
            params,
            lr,
            momentum=0.0 if opt == "sgd" else s.momentum,
            nesterov=opt == "nesterov",
            weight_decay=wd,
        )
    table = {
        "adagrad": lambda: torch.optim.Adagrad(params, lr, weight_decay=wd),
        "adadelta": lambda: torch.optim.Adadelta(params, lr, weight_decay=wd),
        "rmsprop": lambda: torch.optim.RMSprop(params, lr, momentum=s.momentum, weight_decay=wd),
        "adam": lambda: torch.optim.Adam(params, lr, weight_decay=wd),
        "amsgrad": lambda: torch.optim.Adam(params, lr, weight_decay=wd, amsgrad=True),
        "adamw": lambda: torch.optim.AdamW(params, lr, weight_decay=wd),
        "adamax": lambda: torch.optim.Adamax(params, lr, weight_decay=wd),
        "nadam": lambda: torch.optim.NAdam(params, lr, weight_decay=wd),
    }
    return table[opt]()


PLATEAU_STATE = {"best": float, "num_bad_epochs": int, "cooldown_counter": int, "last_epoch": int}
"""The parts of a plateau schedule's state a checkpoint may restore (the rest follows the
settings)."""


class Schedule:
    """Wraps a torch scheduler; `after_step` runs every iteration, `after_epoch` with the validation
    loss.

    Schedules are functions of the position in the run (iteration or epoch) and of the run's length
    in the current settings, so a resumed run follows its new length from where the checkpoint
    stopped."""

    def __init__(
        self, optimizer: torch.optim.Optimizer, s: TrainingSettings, steps_per_epoch: int
    ) -> None:
        total = s.epochs * steps_per_epoch
        self.total_steps = total
        self.kind = s.schedule
        sched = torch.optim.lr_scheduler
        if s.schedule == "one_cycle":
            self.inner = sched.OneCycleLR(
                optimizer,
                s.lr,
                total_steps=total,
                cycle_momentum=s.optimizer in ("momentum", "nesterov"),
            )
        elif s.schedule == "cosine":
            self.inner = sched.CosineAnnealingLR(optimizer, total)
        elif s.schedule == "step":
            self.inner = sched.StepLR(optimizer, s.step_epochs, s.gamma)
        elif s.schedule == "plateau":
            self.inner = sched.ReduceLROnPlateau(optimizer, factor=s.gamma, patience=2)
        else:
            self.inner = None
        self.optimizer = optimizer

    def after_step(self) -> None:
        """Advance per-iteration schedules."""
        if self.kind in ("one_cycle", "cosine"):
            self.inner.step()

    def after_epoch(self, val_loss: float) -> None:
        """Advance per-epoch schedules."""
        if self.kind == "step":
            self.inner.step()
        elif self.kind == "plateau":
            self.inner.step(val_loss)

    def resume_at(
        self, step: int, epoch: int, saved: Mapping[str, Any] | None, lrs: list[float] | None
    ) -> None:
        """Continue at iteration `step` / completed epoch `epoch` of this run.

        Per-iteration and per-epoch schedules are set to the learning rate they give at that point
        of the run as now configured; a plateau schedule takes back its patience counters and the
        reduced learning rates (`lrs`, one per parameter group) from the checkpoint."""
        if self.kind in ("one_cycle", "cosine"):
            self._position(min(step, self.total_steps))
        elif self.kind == "step":
            self._position(epoch)
        elif self.kind == "plateau":
            for key, kind in PLATEAU_STATE.items():
                value = (saved or {}).get(key)
                if (
                    isinstance(value, (int, float))
                    and not isinstance(value, bool)
                    and math.isfinite(value)
                ):
                    setattr(self.inner, key, kind(value))
            if lrs is not None and len(lrs) == len(self.optimizer.param_groups):
                for group, lr in zip(self.optimizer.param_groups, lrs):
                    group["lr"] = lr
                self.inner._last_lr = list(lrs)

    def _position(self, count: int) -> None:
        """Set the scheduler as if it had stepped `count` times (closed form: no replay)."""
        inner = self.inner
        inner.last_epoch = count
        closed = getattr(inner, "_get_closed_form_lr", None)
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # get_lr outside step() warns; here it is the closed form
            lrs = closed() if closed is not None else inner.get_lr()
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        inner._last_lr = [float(group["lr"]) for group in self.optimizer.param_groups]

    @property
    def lr(self) -> float:
        """The current learning rate of the first parameter group."""
        return float(self.optimizer.param_groups[0]["lr"])


def make_loss(s: TrainingSettings):
    """loss(logits, labels) -> scalar tensor."""
    if s.loss in ("dice", "cross_entropy_dice"):
        raise SettingsError(
            "loss", f"'{s.loss}' scores segmentation masks; this project classifies images"
        )
    if s.loss == "hinge":
        return nn.MultiMarginLoss()
    if s.loss == "focal":
        gamma = s.focal_gamma

        def focal(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
            ce = F.cross_entropy(logits.float(), labels, reduction="none")
            return ((1.0 - torch.exp(-ce)) ** gamma * ce).mean()

        return focal
    return nn.CrossEntropyLoss(label_smoothing=s.label_smoothing)


def initialise(model: nn.Module, s: TrainingSettings) -> None:
    """Re-initialise convolution and linear weights (biases to zero) unless the framework default is
    wanted."""
    if s.init == "default":
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(s.seed)
        for module in model.modules():
            weight = getattr(module, "weight", None)
            if not isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) or weight is None:
                continue
            if s.init == "gaussian":
                nn.init.normal_(weight, 0.0, s.init_std)
            elif s.init == "xavier":
                nn.init.xavier_uniform_(weight)
            else:
                nn.init.kaiming_normal_(weight, nonlinearity="relu")
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)
