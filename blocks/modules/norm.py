"""Normalization layers torch does not ship: switchable norm and IBN."""

import torch
from torch import nn


class SwitchableNorm2d(nn.Module):
    """Learned softmax mix of instance, layer and batch statistics (Switchable Normalization)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(1, num_features, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, num_features, 1, 1))
        self.mean_weight = nn.Parameter(torch.ones(3))
        self.var_weight = nn.Parameter(torch.ones(3))
        self.register_buffer("running_mean", torch.zeros(1, num_features, 1))
        self.register_buffer("running_var", torch.ones(1, num_features, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise with a learned mix of instance, layer and batch statistics."""
        n, c, h, w = x.shape
        x = x.view(n, c, -1)
        mean_in = x.mean(-1, keepdim=True)
        var_in = x.var(-1, keepdim=True)
        mean_ln = mean_in.mean(1, keepdim=True)
        temp = var_in + mean_in**2
        var_ln = temp.mean(1, keepdim=True) - mean_ln**2
        if self.training:
            mean_bn = mean_in.mean(0, keepdim=True)
            var_bn = temp.mean(0, keepdim=True) - mean_bn**2
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean_bn[0])
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var_bn[0])
        else:
            mean_bn = self.running_mean.unsqueeze(0)
            var_bn = self.running_var.unsqueeze(0)
        mw = torch.softmax(self.mean_weight, 0)
        vw = torch.softmax(self.var_weight, 0)
        mean = mw[0] * mean_in + mw[1] * mean_ln + mw[2] * mean_bn
        var = vw[0] * var_in + vw[1] * var_ln + vw[2] * var_bn
        x = (x - mean) / (var + self.eps).sqrt()
        return x.view(n, c, h, w) * self.weight + self.bias


class IBN(nn.Module):
    """Instance-batch normalization: the first part of the channels IN, the rest BN (IBN-Net)."""

    def __init__(self, num_features: int, ratio: float = 0.5) -> None:
        super().__init__()
        self.half = int(num_features * ratio)
        self.IN = nn.InstanceNorm2d(self.half, affine=True)
        self.BN = nn.BatchNorm2d(num_features - self.half)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Instance norm on part of the channels, batch norm on the rest."""
        a, b = torch.split(x, [self.half, x.shape[1] - self.half], dim=1)
        return torch.cat((self.IN(a.contiguous()), self.BN(b.contiguous())), dim=1)
