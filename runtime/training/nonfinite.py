"""Explaining a non-finite loss: at which step, in which layer, and the usual causes."""

from __future__ import annotations

import torch

from runtime.training.probes import first_non_finite, largest_output


class NonFinite(Exception):
    """Raised inside the loop when the loss of iteration `step` is NaN or infinite (`batch` is its
    input)."""

    def __init__(self, step: int, batch: torch.Tensor) -> None:
        super().__init__(f"non-finite loss at step {step}")
        self.step = step
        self.batch = batch


def diagnose(setup, bad: NonFinite) -> str:
    """One message: the step, the first layer with a non-finite output, and what to try."""
    layer, bad_weights = first_non_finite(setup.model, bad.batch, setup.layer_names)
    if layer is None:
        name, size = largest_output(setup.model, bad.batch, setup.layer_names)
        where = (
            f"no layer output is NaN/inf, but layer '{name}' reaches |x| = {size:.3g}, so the loss "
            "overflowed"
        )
    elif layer == "input":
        where = "the input batch itself holds NaN/inf values"
    else:
        where = f"the first non-finite value appears in layer '{layer}'"
        if bad_weights:
            where += f" (non-finite weights in {', '.join(repr(n) for n in bad_weights[:3])})"
    lr = setup.settings.lr
    return (
        f"loss became non-finite at step {bad.step}: {where}. Usual causes: the learning rate is "
        f"too high (now {lr:g}; try {lr / 10:g}), inputs or layers without normalisation, or the "
        "log of zero in the loss. Training stopped."
    )
