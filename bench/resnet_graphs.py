"""ResNets built from primitive blocks only (for benches), and a hand-written ResNet-18 to compare
with."""

from __future__ import annotations

import torch
from torch import nn

from runtime.graph import Graph
from runtime.project import Project


def _conv_bn(g: Graph, prev: str, out: int, k: int, stride: int, name: str, relu: bool) -> str:
    conv = g.add_node(
        "conv2d",
        {"out_channels": out, "kernel_size": k, "stride": stride, "padding": k // 2, "bias": False},
        name=f"{name}_conv",
    ).id
    bn = g.add_node("batch_norm", name=f"{name}_bn").id
    g.connect(prev, conv)
    g.connect(conv, bn)
    if not relu:
        return bn
    act = g.add_node("relu", name=f"{name}_relu").id
    g.connect(bn, act)
    return act


def _block(
    g: Graph, prev: str, c_in: int, planes: int, stride: int, name: str, bottleneck: bool
) -> tuple[str, int]:
    if bottleneck:
        out = planes * 4
        x = _conv_bn(g, prev, planes, 1, 1, f"{name}_a", True)
        x = _conv_bn(g, x, planes, 3, stride, f"{name}_b", True)
        x = _conv_bn(g, x, out, 1, 1, f"{name}_c", False)
    else:
        out = planes
        x = _conv_bn(g, prev, planes, 3, stride, f"{name}_a", True)
        x = _conv_bn(g, x, planes, 3, 1, f"{name}_b", False)
    shortcut = prev
    if stride != 1 or c_in != out:
        shortcut = _conv_bn(g, prev, out, 1, stride, f"{name}_down", False)
    add = g.add_node("add", name=f"{name}_add").id
    g.connect(x, add)
    g.connect(shortcut, add)
    act = g.add_node("relu", name=f"{name}_out").id
    g.connect(add, act)
    return act, out


def primitive_resnet(layers: tuple[int, ...], bottleneck: bool, classes: int = 1000) -> Project:
    """torchvision's ResNet layout wired from conv/bn/relu/add primitives."""
    g = Graph()
    x = g.add_node("input").id
    x = _conv_bn(g, x, 64, 7, 2, "stem", True)
    pool = g.add_node(
        "max_pool", {"kernel_size": 3, "stride": 2, "padding": 1}, name="stem_pool"
    ).id
    g.connect(x, pool)
    x, c = pool, 64
    for stage, (count, planes) in enumerate(zip(layers, (64, 128, 256, 512)), start=1):
        for i in range(count):
            stride = 2 if stage > 1 and i == 0 else 1
            x, c = _block(g, x, c, planes, stride, f"layer{stage}_{i}", bottleneck)
    gap = g.add_node("global_avg_pool", name="avgpool").id
    head = g.add_node("output", {"num_classes": classes}, name="fc").id
    g.connect(x, gap)
    g.connect(gap, head)
    return Project(g, (3, 224, 224), "ResNet (primitives)")


class HandBasicBlock(nn.Module):
    """torchvision's BasicBlock, written by hand."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.down = None
        if stride != 1 or c_in != c_out:
            self.down = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (x if self.down is None else self.down(x)))


class HandResNet18(nn.Module):
    """A minimal hand-written ResNet-18."""

    def __init__(self, classes: int = 1000) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, 2, 3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        )
        blocks, c = [], 64
        for stage, planes in enumerate((64, 128, 256, 512)):
            for i in range(2):
                blocks.append(HandBasicBlock(c, planes, 2 if stage and not i else 1))
                c = planes
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))
