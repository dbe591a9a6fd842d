"""Layer health while training: gradient norm, update/weight ratio, dead-ReLU fraction, saturation.

The probe is armed at each snapshot: the next optimizer step reports gradient norms and how far it
moved
each layer's weights (one copy of the weights per snapshot, nothing per iteration), and one forward
of a
fixed validation batch reports how many activations are dead or saturated."""

from __future__ import annotations

import math

import torch
from torch import nn

from runtime.training.events import Health, LayerHealth

SATURATING = (nn.Sigmoid, nn.Tanh, nn.ReLU6, nn.Hardtanh, nn.Hardsigmoid)
RELU_LIKE = (nn.ReLU, nn.ReLU6)
HEALTH_EVERY = 2
"""The loop measures health at every this many feature-map snapshots (once a second by default)."""
HEALTH_IMAGES = 16
"""Validation images run for the dead and saturated shares (a share over all their units)."""
SATURATION_MARGIN = 0.02
"""Sigmoid/tanh outputs closer than this to a bound (as a share of the range) count as saturated."""


def _weights(module: nn.Module) -> list[nn.Parameter]:
    """A layer's trainable tensors with two or more dimensions (weights, not biases or norms)."""
    return [p for p in module.parameters() if p.requires_grad and p.ndim > 1]


def weight_stats(
    layers: dict[str, nn.Module], before: dict[str, list[torch.Tensor]] | None
) -> dict[str, tuple[float, float]]:
    """(gradient norm, ‖update‖ / ‖weight before‖) per layer with weights; NaN where unknown."""
    result = {}
    for name, module in layers.items():
        params = _weights(module)
        if not params:
            continue
        grads = [p.grad for p in params if p.grad is not None]
        grad = (
            float(torch.linalg.vector_norm(torch.stack([g.float().norm() for g in grads])))
            if grads
            else math.nan
        )
        ratio = math.nan
        if before is not None and name in before:
            old = torch.stack([b.float().norm() for b in before[name]]).norm()
            step = torch.stack(
                [(p.detach().float() - b.float()).norm() for p, b in zip(params, before[name])]
            ).norm()
            ratio = float(step / old) if float(old) > 0 else math.nan
        result[name] = (grad, ratio)
    return result


@torch.no_grad()
def activation_stats(layers: dict[str, nn.Module], run: callable) -> dict[str, tuple[float, float]]:
    """(share of ReLU outputs that are exactly zero, share of bounded activations at a bound) per
    layer,
    gathered by hooks on the activation modules inside each layer while `run()` does one forward."""
    sums: dict[str, list[float]] = {}
    handles = []

    def hook(layer: str, module: nn.Module):
        def record(_m: nn.Module, _i: tuple, out: torch.Tensor) -> None:
            if not isinstance(out, torch.Tensor) or not out.numel():
                return
            s = sums.setdefault(
                layer, [0.0, 0.0, 0.0, 0.0]
            )  # zeros, relu count, saturated, bounded count
            if isinstance(module, RELU_LIKE):
                s[0] += float((out == 0).sum())
                s[1] += out.numel()
            if isinstance(module, SATURATING):
                low, high = _bounds(module)
                margin = (
                    SATURATION_MARGIN * (high - low)
                    if isinstance(module, (nn.Sigmoid, nn.Tanh))
                    else 0.0
                )
                s[2] += float(((out <= low + margin) | (out >= high - margin)).sum())
                s[3] += out.numel()

        return record

    for layer, module in layers.items():
        for sub in module.modules():
            if isinstance(sub, RELU_LIKE + SATURATING):
                handles.append(sub.register_forward_hook(hook(layer, sub)))
    try:
        run()
    finally:
        for h in handles:
            h.remove()
    return {
        k: (s[0] / s[1] if s[1] else math.nan, s[2] / s[3] if s[3] else math.nan)
        for k, s in sums.items()
    }


def _bounds(module: nn.Module) -> tuple[float, float]:
    if isinstance(module, nn.Tanh):
        return -1.0, 1.0
    if isinstance(module, (nn.Sigmoid, nn.Hardsigmoid)):
        return 0.0, 1.0
    if isinstance(module, nn.ReLU6):
        return 0.0, 6.0
    return float(module.min_val), float(module.max_val)


class HealthProbe:
    """Arms optimizer hooks for one step at each snapshot and hands back a Health event
    afterwards."""

    def __init__(
        self, model: nn.Module, layer_names: list[str], optimizer: torch.optim.Optimizer
    ) -> None:
        self.layers = {n: model.get_submodule(n) for n in layer_names}
        self.optimizer = optimizer
        self._handles: list = []
        self._before: dict[str, list[torch.Tensor]] | None = None
        self._weights: dict[str, tuple[float, float]] | None = None

    def arm(self) -> None:
        """Measure the next optimizer step (gradients and the update it makes)."""
        if self._handles:
            return
        self._handles = [
            self.optimizer.register_step_pre_hook(self._pre),
            self.optimizer.register_step_post_hook(self._post),
        ]

    def _pre(self, *_args) -> None:
        self._before = {
            n: [p.detach().clone() for p in _weights(m)] for n, m in self.layers.items()
        }

    def _post(self, *_args) -> None:
        self._weights = weight_stats(self.layers, self._before)
        self._before = None
        for h in self._handles:
            h.remove()
        self._handles = []

    def take(self, step: int, model: nn.Module, probe_batch: torch.Tensor) -> Health | None:
        """The figures of the measured step with activation figures on `probe_batch`; None before
        any."""
        if self._weights is None:
            return None
        was_training = model.training
        model.eval()
        try:
            acts = activation_stats(self.layers, lambda: model(probe_batch))
        finally:
            model.train(was_training)
        layers = {}
        for name in self.layers:
            grad, ratio = self._weights.get(name, (math.nan, math.nan))
            dead, saturated = acts.get(name, (math.nan, math.nan))
            if not all(math.isnan(v) for v in (grad, ratio, dead, saturated)):
                layers[name] = LayerHealth(grad, ratio, dead, saturated)
        self._weights = None
        return Health(step, layers)
