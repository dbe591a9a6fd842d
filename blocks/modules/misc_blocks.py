"""Small composite blocks: stochastic depth, MLPconv (NIN), Fire (SqueezeNet), Highway."""

import torch
from torch import nn


class StochasticDepth(nn.Module):
    """Drops the whole input of some samples at train time (row mode), rescaling the survivors.

    Same as torchvision.ops.StochasticDepth(p, "row"): identity at evaluation or when p = 0.
    """

    def __init__(self, p: float, mode: str = "row") -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """While training, drop whole rows (samples) with probability p and rescale the rest."""
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        size = [x.shape[0]] + [1] * (x.ndim - 1) if self.mode == "row" else [1] * x.ndim
        noise = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(survival)
        if survival > 0.0:
            noise.div_(survival)
        return x * noise

    def extra_repr(self) -> str:
        """The settings shown when the module is printed."""
        return f"p={self.p}, mode={self.mode}"


class MLPConv(nn.Module):
    """NIN's micro network: a k×k conv then two 1×1 convs ('cccp'), each with bias and ReLU."""

    def __init__(
        self,
        in_channels: int,
        conv_channels: int,
        mid_channels: int,
        out_channels: int,
        kernel_size: int = 5,
        stride: int = 1,
        padding: int = 2,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, conv_channels, kernel_size, stride=stride, padding=padding
        )
        self.relu0 = nn.ReLU(inplace=True)
        self.cccp1 = nn.Conv2d(conv_channels, mid_channels, 1)
        self.relu1 = nn.ReLU(inplace=True)
        self.cccp2 = nn.Conv2d(mid_channels, out_channels, 1)
        self.relu2 = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """A spatial conv followed by 1×1 convs: a small MLP slid over every position."""
        x = self.relu0(self.conv(x))
        x = self.relu1(self.cccp1(x))
        return self.relu2(self.cccp2(x))


class Fire(nn.Module):
    """SqueezeNet's Fire module: 1×1 squeeze, then parallel 1×1 and 3×3 expands, concatenated."""

    def __init__(
        self, inplanes: int, squeeze_planes: int, expand1x1_planes: int, expand3x3_planes: int
    ) -> None:
        super().__init__()
        self.inplanes = inplanes
        self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Squeeze with a 1×1 conv, then expand with 1×1 and 3×3 convs side by side."""
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat(
            [
                self.expand1x1_activation(self.expand1x1(x)),
                self.expand3x3_activation(self.expand3x3(x)),
            ],
            1,
        )


class Highway(nn.Module):
    """Highway layer y = T·H(x) + (1 − T)·x with H = conv+ReLU and gate T = conv+sigmoid."""

    def __init__(self, channels: int, kernel_size: int = 3, gate_bias: float = -1.0) -> None:
        super().__init__()
        self.plain = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2)
        self.plain_act = nn.ReLU()
        self.gate = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2)
        self.gate_act = nn.Sigmoid()
        nn.init.constant_(self.gate.bias, gate_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Mix the transformed input and the input itself through a learned gate."""
        h = self.plain_act(self.plain(x))
        t = self.gate_act(self.gate(x))
        return t * h + (1 - t) * x
