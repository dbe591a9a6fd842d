"""Residual networks: torchvision's ResNets, ResNeXt and Wide ResNet; SE-ResNet; CIFAR ResNets."""

from __future__ import annotations

from typing import Any

from runtime.project import Project
from runtime.zoo.classic import TV, TV_DOCS
from runtime.zoo.net import Net
from runtime.zoo.registry import template

WIDTHS = (64, 128, 256, 512)


def _stem(net: Net) -> None:
    """torchvision's ResNet stem: 7×7/2 conv, BN, ReLU, 3×3/2 max pool (224 → 56)."""
    net.conv_bn_act("conv1", 64, 7, stride=2, padding=3, bn_name="bn1", act_name="relu")
    net.max_pool("maxpool", 3, 2, padding=1)


def _head(net: Net, classes: int = 1000) -> None:
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "fc", num_classes=classes)


def _imagenet_resnet(
    block: str, depths: tuple[int, ...], title: str, description: str, **extra: Any
) -> Project:
    """Stem, four stages of `block` nodes named layerS_i (stride 2 entering stages 2-4), pooled
    head."""
    net = Net()
    with net.stage("stem"):
        _stem(net)
    for stage, (depth, width) in enumerate(zip(depths, WIDTHS), start=1):
        with net.stage(f"layer{stage}"):
            for i in range(depth):
                stride = 2 if stage > 1 and i == 0 else 1
                if block == "residual_basic":
                    net.add(block, f"layer{stage}_{i}", out_channels=width, stride=stride, **extra)
                else:
                    net.add(block, f"layer{stage}_{i}", planes=width, stride=stride, **extra)
    _head(net)
    return net.project(title, (3, 224, 224), description)


RESNETS = {
    "resnet18": ("residual_basic", (2, 2, 2, 2), 11_689_512, "1.81 G"),
    "resnet34": ("residual_basic", (3, 4, 6, 3), 21_797_672, "3.66 G"),
    "resnet50": ("bottleneck", (3, 4, 6, 3), 25_557_032, "4.09 G"),
    "resnet101": ("bottleneck", (3, 4, 23, 3), 44_549_160, "7.80 G"),
    "resnet152": ("bottleneck", (3, 8, 36, 3), 60_192_808, "11.51 G"),
}
"""torchvision ResNets: block, blocks per stage, num_params, GFLOPS."""


def _register_resnets() -> None:
    for name, (block, depths, params, macs) in RESNETS.items():
        depth = name.removeprefix("resnet")
        kind = (
            "basic blocks (two 3×3 convs)"
            if block == "residual_basic"
            else "bottleneck blocks (1×1, 3×3, 1×1)"
        )
        text = (
            f"ResNet-{depth} (He et al. 2015) as torchvision defines it: 7×7/2 stem and "
            f"max pool, four stages of {'/'.join(map(str, depths))} {kind} at widths "
            f"64-512{' ×4' if block == 'bottleneck' else ''}, stride 2 entering stages "
            f"2-4 {'on the 3×3 conv (ResNet v1.5)' if block == 'bottleneck' else ''}, "
            "projection shortcuts (1×1 conv + BN) where the shape changes, global "
            "average pooling and a 1000-way fc."
        )
        introduced = (
            "residual learning: identity shortcuts make very deep networks trainable"
            if depth == "18"
            else f"residual network, {depth} layers"
        )
        template(name, f"ResNet-{depth}", 2015, introduced, TV, params, macs, TV_DOCS, (3, 32, 32))(
            lambda b=block, d=depths, t=f"ResNet-{depth}", x=text: _imagenet_resnet(b, d, t, x)
        )


_register_resnets()


@template(
    "resnext50_32x4d",
    "ResNeXt-50 32×4d",
    2017,
    "aggregated transformations: grouped 3×3 convs ('cardinality')",
    TV,
    25_028_904,
    "4.23 G",
    TV_DOCS,
    (3, 32, 32),
)
def resnext50_32x4d() -> Project:
    """torchvision's resnext50_32x4d: ResNet-50 with 32-group, 4-channels-per-group bottlenecks."""
    return _imagenet_resnet(
        "resnext",
        (3, 4, 6, 3),
        "ResNeXt-50 32×4d",
        """ResNeXt-50 32×4d (Xie et al. 2017) as torchvision defines it: the ResNet-50 layout with
        bottlenecks whose 3×3 conv has 32 groups of 4 channels per group at the first stage (width
        128, doubling per stage).""",
        groups=32,
        base_width=4,
    )


@template(
    "wide_resnet50_2",
    "Wide ResNet-50-2",
    2016,
    "wider rather than deeper residual networks",
    TV,
    68_883_240,
    "11.40 G",
    TV_DOCS,
    (3, 32, 32),
)
def wide_resnet50_2() -> Project:
    """torchvision's wide_resnet50_2: ResNet-50 with bottlenecks twice as wide inside."""
    return _imagenet_resnet(
        "bottleneck",
        (3, 4, 6, 3),
        "Wide ResNet-50-2",
        """Wide ResNet-50-2 (Zagoruyko & Komodakis 2016) as torchvision defines it: the ResNet-50
        layout with the inner 1×1/3×3 width of every bottleneck doubled (base width 128); outer
        widths stay 256-2048.""",
        base_width=128,
    )


@template(
    "se_resnet50",
    "SE-ResNet-50",
    2017,
    "squeeze-and-excitation channel attention (ILSVRC 2017 winner)",
    "Hu et al. 2018; timm seresnet50 (28,088,024 parameters)",
    28_088_024,
    test_input=(3, 32, 32),
)
def se_resnet50() -> Project:
    """ResNet-50 with a squeeze-excitation (reduction 16) on every bottleneck's residual branch."""
    return _imagenet_resnet(
        "bottleneck",
        (3, 4, 6, 3),
        "SE-ResNet-50",
        """SE-ResNet-50 (Hu, Shen & Sun 2018): ResNet-50 whose every bottleneck rescales its
        residual branch's channels with a squeeze-excitation (global average pool, 1×1 conv to C/16,
        ReLU, 1×1 conv to C, sigmoid) before the addition. Counted as timm's seresnet50 (stride on
        the 3×3 conv; the paper strides the first 1×1, same parameters).""",
        se_reduction=16,
    )


@template(
    "preact_resnet18",
    "Pre-activation ResNet-18",
    2016,
    "identity mappings: BN-ReLU before each conv",
    "He et al. 2016 'Identity mappings in deep residual networks'; "
    "kuangliu/pytorch-cifar PreActResNet18 (CIFAR-10)",
    11_171_146,
    test_input=(3, 16, 16),
)
def preact_resnet18() -> Project:
    """kuangliu's CIFAR-10 PreActResNet18: 3×3 stem, four stages of two pre-activation blocks,
    linear head."""
    net = Net()
    net.conv("conv1", 64, 3, padding=1, bias=False)
    for stage, width in enumerate(WIDTHS, start=1):
        with net.stage(f"layer{stage}"):
            for i in range(2):
                net.add(
                    "preact_residual",
                    f"layer{stage}_{i}",
                    out_channels=width,
                    stride=2 if stage > 1 and i == 0 else 1,
                )
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "linear", num_classes=10)
    return net.project(
        "Pre-activation ResNet-18",
        (3, 32, 32),
        """Pre-activation ResNet-18 (He et al. 2016, 'Identity mappings') for CIFAR-10 as in
        kuangliu/pytorch-cifar: 3×3 conv stem, four stages of two BN-ReLU-conv blocks at widths
        64-512 (1×1 projection shortcuts taken from the pre-activated input), 4×4 average pooling
        and a 10-way linear layer. Like that implementation it has no final BN-ReLU.""",
    )


def _cifar_basic(net: Net, name: str, width_in: int, width: int, stride: int) -> str:
    """A CIFAR ResNet basic block; widening ones are wired by hand with the option-A shortcut."""
    if width == width_in and stride == 1:
        return net.add("residual_basic", name, out_channels=width)
    entry = net.last
    net.conv_bn_act(
        f"{name}_conv1",
        width,
        3,
        stride=stride,
        padding=1,
        bn_name=f"{name}_bn1",
        act_name=f"{name}_relu1",
    )
    branch = net.conv_bn_act(f"{name}_conv2", width, 3, padding=1, act=None, bn_name=f"{name}_bn2")
    shortcut = net.add(
        "zero_pad_shortcut", f"{name}_shortcut", src=entry, out_channels=width, stride=stride
    )
    net.add("add", f"{name}_add", src=[branch, shortcut])
    return net.add("relu", f"{name}_relu")


@template(
    "resnet20_cifar",
    "ResNet-20 (CIFAR)",
    2015,
    "residual networks for CIFAR-10: 6n+2 layers, option-A shortcuts",
    "He et al. 2015, §4.2 (0.27M); akamaster/pytorch_resnet_cifar10 resnet20 (269,722 parameters)",
    269_722,
    test_input=(3, 16, 16),
)
def resnet20_cifar() -> Project:
    """ResNet-20 for CIFAR-10: 3×3 conv to 16, three stages of three basic blocks (16/32/64), GAP,
    fc."""
    net = Net()
    net.conv_bn_act("conv1", 16, 3, padding=1, bn_name="bn1", act_name="relu")
    width_in = 16
    for stage, width in enumerate((16, 32, 64), start=1):
        with net.stage(f"layer{stage}"):
            for i in range(3):
                _cifar_basic(
                    net, f"layer{stage}_{i}", width_in, width, 2 if stage > 1 and i == 0 else 1
                )
                width_in = width
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "linear", num_classes=10)
    return net.project(
        "ResNet-20 (CIFAR-10)",
        (3, 32, 32),
        """ResNet-20 for CIFAR-10 (He et al. 2015, §4.2, n = 3): a 3×3 conv to 16 channels, three
        stages of three basic blocks at 16/32/64 channels on 32/16/8 maps, global average pooling
        and a 10-way fc. The two blocks that widen and downsample use the paper's parameter-free
        shortcut (option A: subsample and zero-pad the channels), wired by hand; the others are
        Residual Basic Block nodes.""",
    )


@template(
    "wrn_28_10",
    "WRN-28-10",
    2016,
    "wide residual networks: shallower and wider, dropout inside blocks",
    "Zagoruyko & Komodakis 2016 (36.5M); xternalz/WideResNet-pytorch "
    "WRN-28-10 (36,479,194 parameters)",
    36_479_194,
    test_input=(3, 16, 16),
)
def wrn_28_10() -> Project:
    """WRN-28-10 for CIFAR-10: 3×3 conv to 16, three stages of four wide pre-activation blocks
    (160/320/640)."""
    net = Net()
    net.conv("conv1", 16, 3, padding=1, bias=False)
    for stage, width in enumerate((160, 320, 640), start=1):
        with net.stage(f"block{stage}"):
            for i in range(4):
                net.add(
                    "wide_residual",
                    f"block{stage}_{i}",
                    out_channels=width,
                    dropout=0.3,
                    stride=2 if stage > 1 and i == 0 else 1,
                )
    net.add("batch_norm", "bn1")
    net.add("relu", "relu")
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "fc", num_classes=10)
    return net.project(
        "WRN-28-10",
        (3, 32, 32),
        """Wide ResNet 28-10 (Zagoruyko & Komodakis 2016) for CIFAR-10 as in
        xternalz/WideResNet-pytorch: 3×3 conv to 16, three stages of four pre-activation wide blocks
        (BN-ReLU-conv, BN-ReLU-dropout 0.3-conv) at 160/320/640 channels, 1×1 projection shortcuts
        where the shape changes, final BN-ReLU, 8×8 average pooling and a 10-way fc.""",
    )
