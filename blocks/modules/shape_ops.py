"""Small tensor operations that composite blocks are made of: channel split, complement."""

import torch
from torch import nn


class ChannelSplit(nn.Module):
    """Keeps part `index` of `parts` equal slices of the channels (like `x.chunk(parts,
    1)[index]`)."""

    def __init__(self, parts: int = 2, index: int = 0) -> None:
        super().__init__()
        self.parts = parts
        self.index = index

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The first or second half of the channels."""
        return x.chunk(self.parts, dim=1)[self.index]


class OneMinus(nn.Module):
    """1 − x: the complement of a gate in (0, 1), e.g. a highway network's carry gate."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """1 − x."""
        return 1 - x
