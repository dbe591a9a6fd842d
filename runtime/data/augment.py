"""Batched augmentation on the training device: one set of tensor ops per batch, no per-sample
Python."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def random_crop(x: torch.Tensor, pad: int, gen: torch.Generator) -> torch.Tensor:
    """Zero-pad every image by `pad` and cut a random H×W window from each (N, C, H, W)."""
    n, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    oy = torch.randint(0, 2 * pad + 1, (n, 1), generator=gen, device=x.device)
    ox = torch.randint(0, 2 * pad + 1, (n, 1), generator=gen, device=x.device)
    rows = (oy + torch.arange(h, device=x.device))[:, :, None]
    cols = (ox + torch.arange(w, device=x.device))[:, None, :]
    batch = torch.arange(n, device=x.device)[:, None, None]
    return padded[batch, :, rows, cols].permute(0, 3, 1, 2)


def random_flip(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Mirror a random half of the images left to right."""
    flip = torch.rand((x.shape[0], 1, 1, 1), generator=gen, device=x.device) < 0.5
    return torch.where(flip, x.flip(3), x)


def pca_jitter(
    x: torch.Tensor, values: torch.Tensor, vectors: torch.Tensor, sigma: float, gen: torch.Generator
) -> torch.Tensor:
    """AlexNet's "fancy PCA": add Σ_i α_i λ_i p_i with α_i ~ N(0, σ) to every pixel's RGB (x in
    0–1)."""
    alpha = torch.randn((x.shape[0], 3), generator=gen, device=x.device) * sigma
    shift = (alpha * values) @ vectors.T
    return x + shift[:, :, None, None]


def colour_jitter(x: torch.Tensor, strength: float, gen: torch.Generator) -> torch.Tensor:
    """Vary each image's brightness, contrast and saturation by up to ± `strength`, in place
    (x in 0–1, N×C×H×W; no batch-sized temporaries, which matters in loader workers)."""
    n = x.shape[0]
    factors = 1 + (torch.rand((3, n, 1, 1, 1), generator=gen, device=x.device) * 2 - 1) * strength
    x.mul_(factors[0])
    level = x.mean(dim=(1, 2, 3), keepdim=True)
    x.sub_(level).mul_(factors[1]).add_(level)
    if x.shape[1] == 3:
        grey = x.mean(dim=1, keepdim=True)
        x.sub_(grey).mul_(factors[2]).add_(grey)
    return x.clamp_(0, 1)
