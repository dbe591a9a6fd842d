"""Adversarial examples on Captum (FGSM, PGD) in pixel units, and robust accuracy against ε."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from runtime.insight.errors import InsightSettingError
from runtime.insight.extra import captum_robust
from runtime.insight.methods import ATTACKS
from runtime.insight.session import Session

PGD_STEPS = 10


@dataclass(frozen=True)
class Attack:
    """One image attacked: the adversarial image, the perturbation, predictions before and after."""

    adversarial: torch.Tensor
    perturbation: torch.Tensor
    before: torch.Tensor
    after: torch.Tensor
    eps: float
    method: str


def check_eps(eps: float) -> float:
    """ε must be a finite number in [0, 1] (pixel units)."""
    if not isinstance(eps, (int, float)) or not math.isfinite(eps) or not 0 <= eps <= 1:
        raise InsightSettingError(
            "eps", f"must lie between 0 and 1 (pixel units, e.g. 8/255 ≈ 0.031), got {eps}"
        )
    return float(eps)


def perturb(
    session: Session,
    x: torch.Tensor,
    labels: torch.Tensor,
    eps: float,
    method: str = "fgsm",
    steps: int = PGD_STEPS,
) -> torch.Tensor:
    """Adversarial versions of 0–1 images `x` (N, C, H, W) that raise the loss of `labels`, within
    ε."""
    eps = check_eps(eps)
    if method not in ATTACKS:
        raise InsightSettingError("method", f"'{method}' is not one of {', '.join(ATTACKS)}")
    robust = captum_robust()
    x = x.detach().float()
    with torch.enable_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="captum")
        if method == "fgsm":
            attack = robust.FGSM(session.model, _loss, lower_bound=0.0, upper_bound=1.0)
            return attack.perturb(x, epsilon=eps, target=labels).detach()
        attack = robust.PGD(session.model, _loss, lower_bound=0.0, upper_bound=1.0)
        return attack.perturb(
            x, radius=eps, step_size=max(eps / 4, 1e-6), step_num=steps, target=labels
        ).detach()


def _loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-image cross-entropy (Captum's default loss expects probabilities; the network gives
    logits)."""
    return F.cross_entropy(logits, labels, reduction="none")


@torch.no_grad()
def _predict(session: Session, x: torch.Tensor) -> torch.Tensor:
    return session.model(x).argmax(1)


def attack_one(
    session: Session,
    pixels: torch.Tensor,
    eps: float,
    method: str = "fgsm",
    label: int | None = None,
) -> Attack:
    """Attack one 0–1 image (C, H, W) against its label (default: the network's own prediction)."""
    x = pixels[None] if pixels.ndim == 3 else pixels
    before = torch.softmax(session.model(x).detach(), 1)[0]
    target = torch.tensor([int(before.argmax()) if label is None else int(label)])
    adv = perturb(session, x, target, eps, method)
    with torch.no_grad():
        after = torch.softmax(session.model(adv), 1)[0]
    return Attack(adv[0], (adv - x)[0], before, after, eps, method)


def robust_accuracy(
    session: Session,
    eps: float,
    method: str = "fgsm",
    limit: int | None = None,
    batch: int = 256,
    cancelled: Callable[[], bool] = lambda: False,
) -> float:
    """Accuracy on the (first `limit`) validation images after attacking each one at ε."""
    x, y = session.val_pixels(limit)
    correct = 0
    for i in range(0, len(y), batch):
        if cancelled():
            break
        xb, yb = x[i : i + batch], y[i : i + batch]
        correct += int((_predict(session, perturb(session, xb, yb, eps, method)) == yb).sum())
    return correct / max(1, len(y))


def robustness_curve(
    session: Session,
    eps_max: float,
    points: int = 6,
    method: str = "fgsm",
    limit: int | None = 500,
    cancelled: Callable[[], bool] = lambda: False,
) -> tuple[np.ndarray, np.ndarray]:
    """(ε values from 0 to eps_max, robust accuracy at each) over the validation images."""
    eps_values = np.linspace(0.0, check_eps(eps_max), max(2, points))
    accuracy = [
        robust_accuracy(session, float(e), method, limit, cancelled=cancelled) for e in eps_values
    ]
    return eps_values, np.array(accuracy)
