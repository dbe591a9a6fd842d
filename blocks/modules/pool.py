"""Pooling layers torch does not ship: mixed max-average pooling."""

import torch
from torch import nn
import torch.nn.functional as F


class MixedPool2d(nn.Module):
    """a·max + (1−a)·average pooling, a fixed or learned (mixed pooling)."""

    def __init__(
        self,
        kernel_size: int = 2,
        stride: int = 2,
        padding: int = 0,
        alpha: float = 0.5,
        learnable: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        alpha_t = torch.tensor(float(alpha))
        if learnable:
            self.alpha = nn.Parameter(alpha_t)
        else:
            self.register_buffer("alpha", alpha_t)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """A learned mix of max and average pooling."""
        mx = F.max_pool2d(x, self.kernel_size, self.stride, self.padding)
        av = F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)
        return self.alpha * mx + (1 - self.alpha) * av
