"""Channel attention: squeeze-and-excitation."""

import torch
from torch import nn


class SqueezeExcitation(nn.Module):
    """Global average pool → 1×1 conv C→S → ReLU/SiLU → 1×1 conv S→C → sigmoid → rescale the
    channels.

    Same layers and names as torchvision.ops.SqueezeExcitation (activation "relu" or "silu").
    """

    def __init__(
        self, input_channels: int, squeeze_channels: int, activation: str = "relu"
    ) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = nn.SiLU(inplace=True) if activation == "silu" else nn.ReLU()
        self.scale_activation = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Rescale each channel by a gate computed from the global average of all channels."""
        scale = self.avgpool(x)
        scale = self.activation(self.fc1(scale))
        scale = self.scale_activation(self.fc2(scale))
        return scale * x
