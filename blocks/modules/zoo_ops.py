"""Small operations some classic networks need: crop, constant scaling, fixed bilinear
upsampling."""

import torch
from torch import nn
import torch.nn.functional as F


class CropTo(nn.Module):
    """Crops the first input to the height and width of the second (centred, or from a fixed
    offset)."""

    def __init__(self, offset: int = -1) -> None:
        super().__init__()
        self.offset = offset

    def forward(self, x: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
        """Centre crop to the spatial size of the reference input."""
        h, w = reference.shape[-2], reference.shape[-1]
        top = (x.shape[-2] - h) // 2 if self.offset < 0 else self.offset
        left = (x.shape[-1] - w) // 2 if self.offset < 0 else self.offset
        return x[..., top : top + h, left : left + w]


class Scale(nn.Module):
    """Multiplies its input by a fixed constant (e.g. airbench's 1/9 output scaling)."""

    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Multiply by a constant."""
        return x * self.factor


class BilinearUpsample(nn.Module):
    """Fixed (not learned) bilinear up-convolution per channel, as FCN's upscore layers with lr_mult
    0."""

    def __init__(self, channels: int, factor: int) -> None:
        super().__init__()
        self.factor = factor
        size = 2 * factor - factor % 2
        center = factor - 1 if size % 2 == 1 else factor - 0.5
        taps = 1 - (torch.arange(size, dtype=torch.float32) - center).abs() / factor
        kernel = (taps[:, None] * taps[None, :]).expand(channels, 1, size, size).contiguous()
        self.register_buffer("weight", kernel)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Upsample with a fixed bilinear kernel."""
        return F.conv_transpose2d(x, self.weight, stride=self.factor, groups=x.shape[1])


class ZeroPadShortcut(nn.Module):
    """ResNet's parameter-free shortcut 'option A': subsample by the stride, zero-pad the new
    channels."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 2) -> None:
        super().__init__()
        self.stride = stride
        self.front = (out_channels - in_channels) // 2
        self.back = out_channels - in_channels - self.front

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Subsample by the stride and pad the new channels with zeros (ResNet shortcut option
        A)."""
        x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, self.front, self.back))
