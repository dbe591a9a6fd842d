"""Mobile blocks laid out like torchvision's: MobileNetV2 inverted residual, EfficientNet MBConv,
ShuffleNetV2 unit."""

import torch
from torch import nn

from blocks.modules.attention import SqueezeExcitation
from blocks.modules.conv import ChannelShuffle
from blocks.modules.misc_blocks import StochasticDepth


class ConvNormAct(nn.Sequential):
    """Conv (no bias, 'same' padding) + BatchNorm + optional activation ("relu6", "silu", "relu" or
    "")."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        groups: int = 1,
        activation: str = "relu6",
    ) -> None:
        layers = [
            nn.Conv2d(
                in_channels,
                out_channels,
                kernel_size,
                stride,
                (kernel_size - 1) // 2,
                groups=groups,
                bias=False,
            ),
            nn.BatchNorm2d(out_channels),
        ]
        if activation == "relu6":
            layers.append(nn.ReLU6(inplace=True))
        elif activation == "silu":
            layers.append(nn.SiLU(inplace=True))
        elif activation == "relu":
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2: 1×1 expand (ReLU6, skipped at ratio 1), 3×3 depthwise (ReLU6), linear 1×1
    project; identity shortcut when the stride is 1 and the channels match."""

    def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int) -> None:
        super().__init__()
        self.stride = stride
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(ConvNormAct(inp, hidden_dim, kernel_size=1))
        layers += [
            ConvNormAct(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            nn.BatchNorm2d(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Expand with 1×1, filter depthwise, project linearly; add the input when shapes allow."""
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MBConv(nn.Module):
    """EfficientNet: 1×1 expand (SiLU, skipped when no wider), k×k depthwise (SiLU),
    squeeze-excitation, linear 1×1 project; identity shortcut with stochastic depth when the stride
    is 1 and channels match."""

    def __init__(
        self,
        input_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int,
        expanded_channels: int,
        squeeze_channels: int,
        stochastic_depth: float = 0.0,
    ) -> None:
        super().__init__()
        self.use_res_connect = stride == 1 and input_channels == out_channels
        layers: list[nn.Module] = []
        if expanded_channels != input_channels:
            layers.append(ConvNormAct(input_channels, expanded_channels, 1, activation="silu"))
        layers.append(
            ConvNormAct(
                expanded_channels,
                expanded_channels,
                kernel_size,
                stride,
                groups=expanded_channels,
                activation="silu",
            )
        )
        if squeeze_channels:
            layers.append(SqueezeExcitation(expanded_channels, squeeze_channels, activation="silu"))
        layers.append(ConvNormAct(expanded_channels, out_channels, 1, activation=""))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth, "row")
        self.out_channels = out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Inverted residual with squeeze-excitation and SiLU; stochastic depth on the residual."""
        result = self.block(x)
        if self.use_res_connect:
            result = self.stochastic_depth(result)
            result += x
        return result


class ShuffleUnit(nn.Module):
    """ShuffleNetV2 unit: stride 1 splits the channels in half and transforms one half; stride 2
    runs two downsampling branches on the whole input; the halves are concatenated and shuffled (2
    groups)."""

    def __init__(self, inp: int, oup: int, stride: int) -> None:
        super().__init__()
        self.stride = stride
        branch_features = oup // 2
        if stride > 1:
            self.branch1 = nn.Sequential(
                nn.Conv2d(inp, inp, 3, stride, 1, bias=False, groups=inp),
                nn.BatchNorm2d(inp),
                nn.Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                nn.BatchNorm2d(branch_features),
                nn.ReLU(inplace=True),
            )
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if stride > 1 else branch_features, branch_features, 1, 1, 0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True),
            nn.Conv2d(
                branch_features, branch_features, 3, stride, 1, bias=False, groups=branch_features
            ),
            nn.BatchNorm2d(branch_features),
            nn.Conv2d(branch_features, branch_features, 1, 1, 0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True),
        )
        self.shuffle = ChannelShuffle(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Split or duplicate the channels, transform one half, concatenate and shuffle."""
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return self.shuffle(out)
