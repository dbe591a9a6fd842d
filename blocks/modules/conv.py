"""Convolution variants that are more than one torch layer."""

import torch
from torch import nn


class ChannelShuffle(nn.Module):
    """Interleave channels across groups (ShuffleNet)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Interleave the channels of the groups so the next grouped conv sees every group."""
        n, c, h, w = x.shape
        x = x.view(n, self.groups, c // self.groups, h, w).transpose(1, 2)
        return x.reshape(n, c, h, w)


class GroupConvShuffle(nn.Module):
    """Pointwise (1×1) grouped convolution followed by a channel shuffle (ShuffleNet)."""

    def __init__(
        self, in_channels: int, out_channels: int, groups: int, bias: bool = False
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1, groups=groups, bias=bias)
        self.shuffle = ChannelShuffle(groups)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Grouped 1×1 conv, then a channel shuffle."""
        return self.shuffle(self.conv(x))


class DepthwiseSeparableConv(nn.Module):
    """Depthwise k×k convolution (one filter per channel) then a pointwise 1×1 (Xception,
    MobileNet)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int = 1,
        dilation: int = 1,
        bias: bool = False,
    ) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels,
            in_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=in_channels,
            bias=bias,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Per-channel spatial conv, then a 1×1 conv that mixes channels."""
        return self.pointwise(self.depthwise(x))


class AsymmetricConv(nn.Module):
    """An n×n convolution factored into 1×n then n×1 (Inception-v3)."""

    def __init__(
        self, in_channels: int, out_channels: int, n: int = 3, stride: int = 1, bias: bool = True
    ) -> None:
        super().__init__()
        self.conv_1xn = nn.Conv2d(
            in_channels, out_channels, (1, n), stride=(1, stride), padding=(0, n // 2), bias=bias
        )
        self.conv_nx1 = nn.Conv2d(
            out_channels, out_channels, (n, 1), stride=(stride, 1), padding=(n // 2, 0), bias=bias
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """A 1×n conv followed by an n×1 conv."""
        return self.conv_nx1(self.conv_1xn(x))


class WeightNormConv2d(nn.Module):
    """Conv2d whose weight is reparameterised as g·v/‖v‖ (weight normalization)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int = 1,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.conv = nn.utils.parametrizations.weight_norm(
            nn.Conv2d(
                in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=bias
            )
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve with the weight rebuilt as g · v / ‖v‖ per output channel."""
        return self.conv(x)


class WeightNormLinear(nn.Module):
    """Linear layer whose weight is reparameterised as g·v/‖v‖ (weight normalization)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.fc = nn.utils.parametrizations.weight_norm(
            nn.Linear(in_features, out_features, bias=bias)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Linear map with the weight rebuilt as g · v / ‖v‖ per output feature."""
        return self.fc(x)
