"""Residual blocks: ResNet basic and bottleneck (ResNeXt), pre-activation, Wide-ResNet."""

import torch
from torch import nn

from blocks.modules.attention import SqueezeExcitation
from blocks.modules.misc_blocks import StochasticDepth


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock (two 3×3 conv-BN, projection when the shape changes),
    with optional squeeze-excitation (`se`) and stochastic depth on the residual branch."""

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        stochastic_depth: float = 0.0,
        se_channels: int = 0,
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.se = SqueezeExcitation(planes, se_channels) if se_channels else None
        self.drop_path = StochasticDepth(stochastic_depth) if stochastic_depth > 0 else None
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes)
            )
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Two 3×3 conv-BN layers plus the shortcut, then ReLU."""
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.se is not None:
            out = self.se(out)
        if self.drop_path is not None:
            out = self.drop_path(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    """torchvision's ResNet Bottleneck v1.5 (stride on the 3×3; groups and width per group give
    ResNeXt), with optional squeeze-excitation (`se`) and stochastic depth on the residual
    branch."""

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        groups: int = 1,
        base_width: int = 64,
        expansion: int = 4,
        stochastic_depth: float = 0.0,
        se_channels: int = 0,
    ) -> None:
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        outplanes = planes * expansion
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, outplanes, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(outplanes)
        self.relu = nn.ReLU(inplace=True)
        self.se = SqueezeExcitation(outplanes, se_channels) if se_channels else None
        self.drop_path = StochasticDepth(stochastic_depth) if stochastic_depth > 0 else None
        self.downsample = None
        if stride != 1 or inplanes != outplanes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, outplanes, 1, stride=stride, bias=False),
                nn.BatchNorm2d(outplanes),
            )
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """1×1 reduce, 3×3, 1×1 expand (conv-BN each) plus the shortcut, then ReLU."""
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.se is not None:
            out = self.se(out)
        if self.drop_path is not None:
            out = self.drop_path(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class PreActBlock(nn.Module):
    """Pre-activation residual block (ResNet v2) as in kuangliu/pytorch-cifar: BN-ReLU-conv twice;
    the 1×1 projection (no BN) takes the pre-activated input."""

    def __init__(
        self, in_planes: int, planes: int, stride: int = 1, stochastic_depth: float = 0.0
    ) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.drop_path = StochasticDepth(stochastic_depth) if stochastic_depth > 0 else None
        self.shortcut = None
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """BN-ReLU before each conv; the shortcut adds to the raw output."""
        out = torch.relu(self.bn1(x))
        shortcut = self.shortcut(out) if self.shortcut is not None else x
        out = self.conv1(out)
        out = self.conv2(torch.relu(self.bn2(out)))
        if self.drop_path is not None:
            out = self.drop_path(out)
        return out + shortcut


class WideBasic(nn.Module):
    """Wide-ResNet block as in xternalz/WideResNet-pytorch: BN-ReLU-conv3×3,
    BN-ReLU-dropout-conv3×3; the 1×1 projection (`convShortcut`, no BN) takes the pre-activated
    input."""

    def __init__(
        self,
        in_planes: int,
        out_planes: int,
        stride: int = 1,
        dropout: float = 0.0,
        stochastic_depth: float = 0.0,
    ) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_planes, out_planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_planes)
        self.relu2 = nn.ReLU(inplace=True)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.conv2 = nn.Conv2d(out_planes, out_planes, 3, padding=1, bias=False)
        self.drop_path = StochasticDepth(stochastic_depth) if stochastic_depth > 0 else None
        self.convShortcut = None
        if stride != 1 or in_planes != out_planes:
            self.convShortcut = nn.Conv2d(in_planes, out_planes, 1, stride=stride, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-activation wide block with dropout between its two convs."""
        out = self.relu1(self.bn1(x))
        shortcut = self.convShortcut(out) if self.convShortcut is not None else x
        out = self.relu2(self.bn2(self.conv1(out)))
        if self.dropout is not None:
            out = self.dropout(out)
        out = self.conv2(out)
        if self.drop_path is not None:
            out = self.drop_path(out)
        return out + shortcut
