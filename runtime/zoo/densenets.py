"""Densely connected networks: torchvision's DenseNet-121/169 and the CIFAR DenseNet-BC-100."""

from __future__ import annotations

from runtime.project import Project
from runtime.zoo.classic import TV, TV_DOCS
from runtime.zoo.net import Net
from runtime.zoo.registry import template


def _dense_stages(net: Net, width: int, layers: tuple[int, ...], growth: int) -> int:
    """Dense blocks with halving transitions between them; returns the final channel count."""
    for i, count in enumerate(layers, start=1):
        with net.stage(f"block{i}"):
            net.add(
                "dense_block", f"denseblock{i}", num_layers=count, growth_rate=growth, bn_size=4
            )
            width += count * growth
            if i < len(layers):
                width //= 2
                net.add("transition", f"transition{i}", out_channels=width)
    return width


def _densenet(layers: tuple[int, ...], title: str) -> Project:
    """torchvision DenseNet-BC (k = 32): 7×7/2 stem, four dense blocks, final BN-ReLU, pooled
    classifier."""
    net = Net()
    with net.stage("stem"):
        net.conv_bn_act("conv0", 64, 7, stride=2, padding=3, bn_name="norm0", act_name="relu0")
        net.max_pool("pool0", 3, 2, padding=1)
    _dense_stages(net, 64, layers, 32)
    net.add("batch_norm", "norm5")
    net.add("relu", "relu5")
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "classifier", num_classes=1000)
    return net.project(
        title,
        (3, 224, 224),
        f"""{title} (Huang et al. 2017) as torchvision defines it: 7×7/2 conv and max pool, dense
        blocks of {"/".join(map(str, layers))} layers (growth rate 32, 1×1 bottleneck to 128
        channels, then 3×3), transitions (BN-ReLU-1×1 conv halving the channels, 2×2 average pool),
        final BN-ReLU, global average pooling and a 1000-way classifier.""",
    )


@template(
    "densenet121",
    "DenseNet-121",
    2017,
    "dense connectivity: every layer sees all earlier feature maps",
    TV,
    7_978_856,
    "2.83 G",
    TV_DOCS,
    (3, 32, 32),
)
def densenet121() -> Project:
    """torchvision's densenet121."""
    return _densenet((6, 12, 24, 16), "DenseNet-121")


@template(
    "densenet169",
    "DenseNet-169",
    2017,
    "dense connectivity, deeper third and fourth blocks",
    TV,
    14_149_480,
    "3.36 G",
    TV_DOCS,
    (3, 32, 32),
)
def densenet169() -> Project:
    """torchvision's densenet169."""
    return _densenet((6, 12, 32, 32), "DenseNet-169")


@template(
    "densenet_bc_100",
    "DenseNet-BC-100 (k=12)",
    2017,
    "bottleneck + compression DenseNet for CIFAR",
    "Huang et al. 2017, Table 2 (0.8M); 769,162 parameters counted from the paper's configuration",
    769_162,
    test_input=(3, 16, 16),
)
def densenet_bc_100() -> Project:
    """DenseNet-BC, L = 100, k = 12, for CIFAR-10: three dense blocks of 16 bottleneck layers."""
    net = Net()
    net.conv("conv1", 24, 3, padding=1, bias=False)
    _dense_stages(net, 24, (16, 16, 16), 12)
    net.add("batch_norm", "bn")
    net.add("relu", "relu")
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "fc", num_classes=10)
    return net.project(
        "DenseNet-BC-100 (k=12)",
        (3, 32, 32),
        """DenseNet-BC with L = 100 and growth rate k = 12 (Huang et al. 2017) for CIFAR-10: a 3×3
        conv to 2k = 24 channels, three dense blocks of 16 bottleneck layers (BN-ReLU-1×1 conv to
        4k, BN-ReLU-3×3 conv to k), transitions with compression 0.5 and 2×2 average pooling, final
        BN-ReLU, 8×8 global average pooling and a 10-way fc.""",
    )
