"""Networks built from separable and small convolutions: MobileNet v1, Xception, airbench94."""

from __future__ import annotations

from runtime.project import Project
from runtime.zoo.net import Net
from runtime.zoo.registry import template

MOBILENET_V1 = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)
"""(pointwise width, depthwise stride) of MobileNet v1's thirteen depthwise-separable layers."""


@template(
    "mobilenet_v1",
    "MobileNet v1",
    2017,
    "depthwise separable convolutions for mobile vision",
    "Howard et al. 2017, Table 1; Keras applications.MobileNet (4,231,976 trainable parameters)",
    4_231_976,
    "569 M",
    "Howard et al. 2017, Table 8 (1.0 MobileNet-224: 569 million mult-adds)",
    (3, 32, 32),
)
def mobilenet_v1() -> Project:
    """MobileNet v1 (width 1.0, 224×224): conv 3×3/2 then 13 depthwise + pointwise pairs, each
    BN-ReLU."""
    net = Net()
    net.conv_bn_act("conv1", 32, 3, stride=2, padding=1)
    width = 32
    for i, (out, stride) in enumerate(MOBILENET_V1, start=1):
        net.conv_bn_act(f"conv_dw_{i}", width, 3, stride=stride, padding=1, groups=width)
        net.conv_bn_act(f"conv_pw_{i}", out, 1, padding=0)
        width = out
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "fc", num_classes=1000)
    return net.project(
        "MobileNet v1",
        (3, 224, 224),
        """MobileNet v1 (Howard et al. 2017), width multiplier 1.0 at 224×224: a 3×3/2 convolution
        then thirteen depthwise 3×3 (groups = channels) + pointwise 1×1 pairs, each followed by
        BatchNorm and ReLU, global average pooling and a 1000-way classifier. Each depthwise
        separable pair costs about 1/9 of a full 3×3 convolution. Convolutions have no bias
        (BatchNorm follows).""",
    )


def _xception_block(
    net: Net,
    name: str,
    width_in: int,
    width_out: int,
    reps: int,
    stride: int,
    start_with_relu: bool,
    grow_first: bool,
) -> str:
    """One Xception block: (ReLU →) separable conv → BN repeated, optional 3/2 max pool, plus a
    shortcut."""
    entry = net.last
    widths = (
        [width_out] + [width_out] * (reps - 1)
        if grow_first
        else [width_in] * (reps - 1) + [width_out]
    )
    for i, width in enumerate(widths, start=1):
        if i > 1 or start_with_relu:
            net.add("relu", f"{name}_relu{i}")
        net.add(
            "depthwise_separable_conv",
            f"{name}_sepconv{i}",
            out_channels=width,
            kernel_size=3,
            stride=1,
            padding=1,
            bias=False,
        )
        net.add("batch_norm", f"{name}_bn{i}")
    if stride != 1:
        net.max_pool(f"{name}_pool", 3, stride, padding=1)
    main = net.last
    shortcut = entry
    if width_out != width_in or stride != 1:
        net.add(
            "pointwise_conv",
            f"{name}_skip",
            src=entry,
            out_channels=width_out,
            stride=stride,
            bias=False,
        )
        shortcut = net.add("batch_norm", f"{name}_skip_bn")
    return net.add("add", f"{name}_add", src=[main, shortcut])


@template(
    "xception",
    "Xception",
    2016,
    "Inception taken to the extreme: depthwise separable convolutions with residuals",
    "Chollet 2017; Cadene pretrained-models / timm legacy_xception (22,855,952 parameters)",
    22_855_952,
    test_input=(3, 71, 71),
)
def xception() -> Project:
    """Xception at 3×299×299: entry flow, eight middle-flow blocks, exit flow, as in Cadene's/timm's
    port."""
    net = Net()
    net.conv_bn_act("conv1", 32, 3, stride=2, padding=0, bn_name="bn1", act_name="relu1")
    net.conv_bn_act("conv2", 64, 3, padding=0, bn_name="bn2", act_name="relu2")
    _xception_block(net, "block1", 64, 128, 2, 2, start_with_relu=False, grow_first=True)
    _xception_block(net, "block2", 128, 256, 2, 2, start_with_relu=True, grow_first=True)
    _xception_block(net, "block3", 256, 728, 2, 2, start_with_relu=True, grow_first=True)
    for i in range(4, 12):
        _xception_block(net, f"block{i}", 728, 728, 3, 1, start_with_relu=True, grow_first=True)
    _xception_block(net, "block12", 728, 1024, 2, 2, start_with_relu=True, grow_first=False)
    for i, width in ((3, 1536), (4, 2048)):
        net.add(
            "depthwise_separable_conv",
            f"conv{i}",
            out_channels=width,
            kernel_size=3,
            stride=1,
            padding=1,
            bias=False,
        )
        net.add("batch_norm", f"bn{i}")
        net.add("relu", f"relu{i}")
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "fc", num_classes=1000)
    return net.project(
        "Xception",
        (3, 299, 299),
        """Xception (Chollet 2017) at 3×299×299 as in the widely used Cadene/timm port: entry flow
        (two 3×3 convs, three blocks down to 728 channels at 19×19), middle flow (eight residual
        blocks of three ReLU → depthwise-separable conv → BN), exit flow (block to 1024, separable
        convs to 1536 and 2048), global average pooling, 1000-way classifier. Shortcuts with a
        stride or a width change are 1×1 conv + BN. The shortcut branches from the block input
        before its first ReLU, as in the paper's figure (the port's in-place ReLU also rectifies the
        shortcut; parameters are the same).""",
    )


@template(
    "airbench94",
    "airbench94",
    2024,
    "94% CIFAR-10 in a few seconds: whitening conv, GELU, BN without scale",
    "Keller Jordan, cifar10-airbench airbench94.py "
    "(1,972,792 parameters incl. the frozen BN scales)",
    1_972_792,
)
def airbench94() -> Project:
    """airbench94: 2×2 whitening conv, three conv groups (64/256/256), 3×3 max pool, linear head,
    ×1/9."""
    net = Net()
    net.conv("whiten", 24, 2, padding=0, bias=True)
    net.add("gelu", "whiten_gelu")
    for g, width in enumerate((64, 256, 256), start=1):
        net.conv(f"block{g}_conv1", width, 3, padding=1, bias=False)
        net.max_pool(f"block{g}_pool", 2, 2)
        net.add("batch_norm", f"block{g}_bn1", eps=1e-12, momentum=0.4)
        net.add("gelu", f"block{g}_gelu1")
        net.conv(f"block{g}_conv2", width, 3, padding=1, bias=False)
        net.add("batch_norm", f"block{g}_bn2", eps=1e-12, momentum=0.4)
        net.add("gelu", f"block{g}_gelu2")
    net.max_pool("pool", 3, 3)
    net.add("flatten", "flatten")
    net.linear("head", 10, bias=False)
    net.add("scale", "scaling", factor=1 / 9)
    net.add("output", "logits", num_classes=0)
    return net.project(
        "airbench94",
        (3, 32, 32),
        """airbench94 (Keller Jordan, cifar10-airbench): a 2×2 'whitening' convolution to 24
        channels (initialised from the patch covariance of the training set, 31×31 out), GELU, three
        conv groups of widths 64/256/256, each conv 3×3 → 2×2 max pool → BN → GELU → conv 3×3 → BN →
        GELU, a 3×3 max pool to 1×1, a bias-free linear head and a fixed ×1/9 scaling of the logits.
        BatchNorm uses eps 1e-12 and momentum 0.4 (airbench's 0.6 in torch's convention); airbench
        freezes the BN scales at 1 (here they are trainable) and initialises the whitening layer
        from data (here it starts random).""",
    )
