"""Snapshots for the panels: feature maps, first-layer filters, histograms; and finding the first
non-finite layer."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from runtime.compile import CompiledNetwork
from runtime.data.mosaic import scale_each, tile, to_uint8
from runtime.training.events import FeatureMaps, Filters, Histograms

BINS = 40


def _as_maps(value: torch.Tensor) -> np.ndarray:
    """One sample's output as (channels, H, W); vectors become one near-square image."""
    v = value.detach().float().cpu()
    if v.ndim == 3:
        return v.numpy()
    flat = v.reshape(-1).numpy()
    side = math.ceil(math.sqrt(flat.size))
    padded = np.full(side * side, flat.min() if flat.size else 0.0, dtype=np.float32)
    padded[: flat.size] = flat
    return padded.reshape(1, side, side)


@torch.no_grad()
def feature_maps(
    model: CompiledNetwork, probe: torch.Tensor, layer: str, input_name: str, step: int
) -> FeatureMaps:
    """Run the probe image through the network and tile the channels of `layer`'s output."""
    was_training = model.training
    model.eval()
    try:
        out = probe if layer == input_name else model.layer_outputs(probe, {layer})[layer]
    finally:
        model.train(was_training)
    maps = _as_maps(out[0])
    return FeatureMaps(
        step, layer, tuple(out.shape[1:]), to_uint8(tile(scale_each(maps), gap=1, fill=1.0))
    )


def first_conv(model: nn.Module) -> tuple[str, nn.Module] | None:
    """The first module (in execution order) with a 4-D weight, i.e. the first convolution."""
    for name, module in model.named_modules():
        weight = getattr(module, "weight", None)
        if isinstance(weight, torch.Tensor) and weight.ndim == 4:
            return name, module
    return None


@torch.no_grad()
def filters(model: nn.Module, step: int) -> Filters | None:
    """The first convolution's kernels tiled; RGB when they see three input channels."""
    found = first_conv(model)
    if found is None:
        return None
    name, module = found
    w = module.weight.detach().float().cpu().numpy()
    kernels = w.transpose(0, 2, 3, 1) if w.shape[1] == 3 else w[:, 0]
    scaled = scale_each(kernels)
    return Filters(step, name, to_uint8(tile(scaled, gap=1, fill=1.0)))


def _hist(t: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(counts, edges) of a tensor's values, computed on its device."""
    t = t.detach().float().reshape(-1)
    low, high = (float(v) for v in torch.aminmax(t)) if t.numel() else (math.nan, math.nan)
    if not (
        math.isfinite(low) and math.isfinite(high)
    ):  # NaN/inf propagate to the extremes: drop them
        t = t[torch.isfinite(t)]
        if t.numel() == 0:
            return np.zeros(BINS, np.int64), np.linspace(-1, 1, BINS + 1)
        low, high = (float(v) for v in torch.aminmax(t))
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    counts = torch.histc(t, BINS, low, high)
    return counts.cpu().numpy().astype(np.int64), np.linspace(low, high, BINS + 1)


def histograms(model: nn.Module, step: int) -> Histograms:
    """Weight and gradient histograms for every layer that has a weight."""
    result = Histograms(step)
    for name, module in model.named_children():
        weight = getattr(module, "weight", None)
        if not isinstance(weight, torch.Tensor):
            for sub, param in module.named_parameters():
                if sub.endswith("weight") and param.ndim > 1:
                    weight = param
                    break
        if isinstance(weight, torch.Tensor):
            result.weights[name] = _hist(weight)
            if weight.grad is not None:
                result.grads[name] = _hist(weight.grad)
    return result


@torch.no_grad()
def first_non_finite(
    model: CompiledNetwork, x: torch.Tensor, names: list[str]
) -> tuple[str | None, list[str]]:
    """The first layer whose output has a NaN/inf on batch `x`, and the layers whose weights do."""
    bad_weights = [
        n
        for n in names
        if any(not torch.isfinite(p).all() for p in model.get_submodule(n).parameters())
    ]
    if not torch.isfinite(x).all():
        return "input", bad_weights
    outputs = model.layer_outputs(x, set(names))
    for name in names:
        if name in outputs and not torch.isfinite(outputs[name]).all():
            return name, bad_weights
    return None, bad_weights


@torch.no_grad()
def largest_output(model: CompiledNetwork, x: torch.Tensor, names: list[str]) -> tuple[str, float]:
    """The layer whose output on batch `x` has the largest magnitude, and that magnitude."""
    outputs = model.layer_outputs(x, set(names))
    sizes = {
        n: float(outputs[n].detach().abs().max())
        for n in names
        if n in outputs and outputs[n].numel()
    }
    name = max(sizes, key=sizes.get)
    return name, sizes[name]
