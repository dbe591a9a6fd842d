"""Merge modules: element-wise sum, channel concatenation, element-wise product."""

import torch
from torch import nn


class Add(nn.Module):
    """Element-wise sum of all inputs (shapes must match)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        """Element-wise sum of the inputs."""
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Concat(nn.Module):
    """Concatenation of all inputs along the channel dimension."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        """The inputs concatenated along channels."""
        return torch.cat(xs, dim=1)


class Multiply(nn.Module):
    """Element-wise product of all inputs (broadcasting, e.g. a C×1×1 gate)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        """Element-wise product of the inputs."""
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out
