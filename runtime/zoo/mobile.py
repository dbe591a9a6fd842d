"""Mobile networks from torchvision: MobileNetV2, ShuffleNetV2 1.0×, EfficientNet-B0."""

from __future__ import annotations

from runtime.project import Project
from runtime.zoo.classic import TV, TV_DOCS
from runtime.zoo.net import Net
from runtime.zoo.registry import template

MOBILENET_V2 = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
"""(expand ratio t, channels c, repeats n, first stride s) of MobileNetV2's bottleneck stages."""


def _pooled_head(net: Net, dropout: float, name: str = "classifier") -> None:
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    if dropout:
        net.add("dropout", "dropout", p=dropout)
    net.add("output", name, num_classes=1000)


@template(
    "mobilenet_v2",
    "MobileNetV2",
    2018,
    "inverted residuals with linear bottlenecks",
    TV,
    3_504_872,
    "0.30 G",
    TV_DOCS,
    (3, 32, 32),
)
def mobilenet_v2() -> Project:
    """torchvision's mobilenet_v2 (width 1.0): 3×3/2 stem, 17 inverted residuals, 1×1 conv to 1280,
    classifier."""
    net = Net()
    net.conv_bn_act("conv_stem", 32, 3, stride=2, padding=1, act="relu6")
    index = 1
    for t, c, n, s in MOBILENET_V2:
        for i in range(n):
            net.add(
                "inverted_residual",
                f"block{index}",
                out_channels=c,
                stride=s if i == 0 else 1,
                expand_ratio=t,
            )
            index += 1
    net.conv_bn_act("conv_last", 1280, 1, padding=0, act="relu6")
    _pooled_head(net, 0.2)
    return net.project(
        "MobileNetV2",
        (3, 224, 224),
        """MobileNetV2 (Sandler et al. 2018) as torchvision defines it: 3×3/2 conv to 32 (BN,
        ReLU6), 17 inverted residual blocks (1×1 expand ×t with ReLU6, 3×3 depthwise with ReLU6,
        linear 1×1 projection; identity shortcut when shape allows), 1×1 conv to 1280, global
        average pooling, dropout 0.2 and a 1000-way classifier.""",
    )


@template(
    "shufflenet_v2_x1_0",
    "ShuffleNetV2 1.0×",
    2018,
    "channel split and shuffle, designed for real speed",
    TV,
    2_278_604,
    "0.14 G",
    TV_DOCS,
    (3, 32, 32),
)
def shufflenet_v2_x1_0() -> Project:
    """torchvision's shufflenet_v2_x1_0: stem, stages of 4/8/4 units at 116/232/464 channels, conv5
    1024."""
    net = Net()
    net.conv_bn_act("conv1", 24, 3, stride=2, padding=1)
    net.max_pool("maxpool", 3, 2, padding=1)
    for stage, (repeats, width) in enumerate(((4, 116), (8, 232), (4, 464)), start=2):
        for i in range(repeats):
            net.add(
                "shufflenet_unit",
                f"stage{stage}_{i}",
                out_channels=width,
                stride=2 if i == 0 else 1,
            )
    net.conv_bn_act("conv5", 1024, 1, padding=0)
    _pooled_head(net, 0.0, "fc")
    return net.project(
        "ShuffleNetV2 1.0×",
        (3, 224, 224),
        """ShuffleNetV2 1.0× (Ma et al. 2018) as torchvision defines it: 3×3/2 conv to 24 and 3×3/2
        max pool, stages of 4, 8 and 4 units at 116/232/464 channels (the first of each downsamples
        with two branches; the others split the channels, transform one half and shuffle), 1×1 conv
        to 1024, global average pooling and a 1000-way fc.""",
    )


EFFICIENTNET_B0 = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)
"""(expand ratio, kernel, first stride, channels, repeats) of EfficientNet-B0's MBConv stages."""


@template(
    "efficientnet_b0",
    "EfficientNet-B0",
    2019,
    "compound scaling of a searched MBConv network (SiLU, SE)",
    TV,
    5_288_548,
    "0.39 G",
    TV_DOCS,
    (3, 32, 32),
)
def efficientnet_b0() -> Project:
    """torchvision's efficientnet_b0: 3×3/2 stem, 16 MBConv blocks with SE, 1×1 conv to 1280,
    classifier."""
    net = Net()
    net.conv_bn_act("stem", 32, 3, stride=2, padding=1, act="silu")
    total = sum(stage[-1] for stage in EFFICIENTNET_B0)
    index = 0
    for stage, (ratio, k, stride, width, repeats) in enumerate(EFFICIENTNET_B0, start=1):
        for i in range(repeats):
            net.add(
                "mbconv",
                f"stage{stage}_{i}",
                out_channels=width,
                kernel_size=k,
                stride=stride if i == 0 else 1,
                expand_ratio=float(ratio),
                se_ratio=0.25,
                stochastic_depth=round(0.2 * index / total, 4),
            )
            index += 1
    net.conv_bn_act("head_conv", 1280, 1, padding=0, act="silu")
    _pooled_head(net, 0.2)
    return net.project(
        "EfficientNet-B0",
        (3, 224, 224),
        """EfficientNet-B0 (Tan & Le 2019) as torchvision defines it: 3×3/2 conv to 32 (BN, SiLU),
        16 MBConv blocks in seven stages (1×1 expand, k×k depthwise, squeeze- excitation to a
        quarter of the block's input channels, linear 1×1 projection; stochastic depth rising
        linearly to 0.2), 1×1 conv to 1280, global average pooling, dropout 0.2 and a 1000-way
        classifier.""",
    )
