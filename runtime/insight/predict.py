"""Top-k classes with probabilities for one image."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from runtime.insight.session import Session


@dataclass(frozen=True)
class Prediction:
    """The k most probable classes, best first, as (class index, name, probability)."""

    top: tuple[tuple[int, str, float], ...]

    @property
    def best(self) -> int:
        """The predicted class index."""
        return self.top[0][0]


@torch.no_grad()
def predict(session: Session, pixels: torch.Tensor, k: int = 5) -> Prediction:
    """Classify one 0–1 image (C, H, W) or (1, C, H, W)."""
    x = pixels if pixels.ndim == 4 else pixels[None]
    probs = torch.softmax(session.model(x)[0].float(), 0)
    values, index = probs.topk(min(k, probs.numel()))
    names = session.classes
    return Prediction(
        tuple(
            (int(i), names[int(i)] if int(i) < len(names) else str(int(i)), float(v))
            for v, i in zip(values, index)
        )
    )
