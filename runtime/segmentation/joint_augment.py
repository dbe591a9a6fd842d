"""Augmentation of images and masks together on the training device: one random crop, flip and
resize per sample, applied to both by a single sampling grid (bilinear for the image, nearest
neighbour for the mask, so class ids are never blended)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from runtime.segmentation import IGNORE


@dataclass(frozen=True)
class JointAugment:
    """Random zoom into scale_min…1 of the area, shift by up to `shift` pixels (what falls outside
    the image becomes ignored pixels), and horizontal flips."""

    scale_min: float = 1.0
    shift: int = 0
    flip: bool = False

    @property
    def active(self) -> bool:
        """Whether anything random happens."""
        return self.scale_min < 1.0 or self.shift > 0 or self.flip

    def __call__(
        self, x: torch.Tensor, y: torch.Tensor, gen: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Float images (N, C, H, W) and integer masks (N, H, W), transformed alike."""
        if not self.active:
            return x, y
        n, _, h, w = x.shape
        dev = x.device
        rand = torch.rand((n, 4), generator=gen, device=dev)
        side = math.sqrt(self.scale_min) + (1 - math.sqrt(self.scale_min)) * rand[:, 0]
        # the window's centre in -1…1 keeps a zoomed window inside the image
        cx = (1 - side) * (2 * rand[:, 1] - 1)
        cy = (1 - side) * (2 * rand[:, 2] - 1)
        if self.shift:
            shifts = torch.randint(
                -self.shift, self.shift + 1, (n, 2), generator=gen, device=dev
            ).float()
            cx = cx + 2 * shifts[:, 0] / w
            cy = cy + 2 * shifts[:, 1] / h
        sx = torch.where(rand[:, 3] < 0.5, -side, side) if self.flip else side
        theta = torch.zeros((n, 2, 3), device=dev)
        theta[:, 0, 0], theta[:, 0, 2] = sx, cx
        theta[:, 1, 1], theta[:, 1, 2] = side, cy
        grid = F.affine_grid(theta, [n, 1, h, w], align_corners=False)
        image = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        shifted = (y.to(torch.float32) + 1).unsqueeze(1)  # 0 now means "outside the image"
        sampled = F.grid_sample(
            shifted, grid, mode="nearest", padding_mode="zeros", align_corners=False
        )
        ids = sampled.squeeze(1).round().long() - 1
        mask = torch.where(ids < 0, torch.full_like(ids, IGNORE), ids)
        return image, mask.to(y.dtype)
