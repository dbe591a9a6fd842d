"""Networks of multi-branch modules from torchvision: GoogLeNet (Inception v1) and SqueezeNet."""

from __future__ import annotations

from runtime.project import Project
from runtime.zoo.classic import TV, TV_DOCS
from runtime.zoo.net import Net
from runtime.zoo.registry import template

INCEPTIONS = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}
"""(ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj) of each Inception module (paper Table 1)."""
_KEYS = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")


@template(
    "googlenet",
    "GoogLeNet",
    2014,
    "Inception modules: parallel 1×1/3×3/5×5/pool branches (ILSVRC 2014)",
    TV + ", without the auxiliary heads",
    6_624_904,
    "1.50 G",
    TV_DOCS,
    (3, 64, 64),
)
def googlenet() -> Project:
    """torchvision's googlenet (aux_logits=False): conv stem, nine Inception modules, pooled
    classifier."""
    net = Net()
    with net.stage("stem"):
        net.conv_bn_act("conv1", 64, 7, stride=2, padding=3, eps=0.001)
        net.max_pool("maxpool1", 3, 2, ceil_mode=True)
        net.conv_bn_act("conv2", 64, 1, padding=0, eps=0.001)
        net.conv_bn_act("conv3", 192, 3, padding=1, eps=0.001)
        net.max_pool("maxpool2", 3, 2, ceil_mode=True)
    for name, widths in INCEPTIONS.items():
        with net.stage(f"inception{name[0]}"):  # the paper's stages 3, 4 and 5
            net.add("inception", f"inception{name}", big_kernel=3, **dict(zip(_KEYS, widths)))
            if name == "3b":
                net.max_pool("maxpool3", 3, 2, ceil_mode=True)
            elif name == "4e":
                net.max_pool("maxpool4", 2, 2, ceil_mode=True)
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("dropout", "dropout", p=0.2)
    net.add("output", "fc", num_classes=1000)
    return net.project(
        "GoogLeNet",
        (3, 224, 224),
        """GoogLeNet / Inception v1 (Szegedy et al. 2014) as torchvision defines it, without the two
        auxiliary classifiers (they only matter in training): conv stem with BatchNorm (eps 0.001),
        nine Inception modules (3a-5b) with max pools between stages, global average pooling,
        dropout 0.2 and a 1000-way fc. Like torchvision, the '5×5' branch uses a 3×3 kernel (a known
        quirk of its port), which is why it has 6,624,904 parameters.""",
    )


SQUEEZENET = {
    "1_0": (
        96,
        7,
        (
            ("fire2", 16, 64),
            ("fire3", 16, 64),
            ("fire4", 32, 128),
            "pool",
            ("fire5", 32, 128),
            ("fire6", 48, 192),
            ("fire7", 48, 192),
            ("fire8", 64, 256),
            "pool",
            ("fire9", 64, 256),
        ),
    ),
    "1_1": (
        64,
        3,
        (
            ("fire2", 16, 64),
            ("fire3", 16, 64),
            "pool",
            ("fire4", 32, 128),
            ("fire5", 32, 128),
            "pool",
            ("fire6", 48, 192),
            ("fire7", 48, 192),
            ("fire8", 64, 256),
            ("fire9", 64, 256),
        ),
    ),
}
"""First conv (width, kernel) and the fire modules (squeeze, expand per branch) with pooling
positions."""


def _squeezenet(version: str) -> Project:
    """torchvision SqueezeNet: conv, fire modules with 3/2 pools, dropout, 1×1 conv classifier,
    pooling."""
    width, k, layers = SQUEEZENET[version]
    net = Net()
    net.conv("conv1", width, k, stride=2, padding="valid")
    net.add("relu", "relu1")
    net.max_pool("maxpool1", 3, 2, ceil_mode=True)
    pools = 1
    for layer in layers:
        if layer == "pool":
            pools += 1
            net.max_pool(f"maxpool{pools}", 3, 2, ceil_mode=True)
        else:
            name, squeeze, expand = layer
            net.add("fire", name, squeeze=squeeze, expand1x1=expand, expand3x3=expand)
    net.add("dropout", "dropout", p=0.5)
    net.conv("conv10", 1000, 1, padding=0)
    net.add("relu", "relu10")
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "logits", num_classes=0)
    dotted = version.replace("_", ".")
    return net.project(
        f"SqueezeNet {dotted}",
        (3, 224, 224),
        f"""SqueezeNet {dotted} (Iandola et al. 2016) as torchvision defines it: a {k}×{k}/2 conv to
        {width}, eight Fire modules (1×1 squeeze, then parallel 1×1 and 3×3 expands concatenated)
        with 3/2 max pools (rounded up), dropout 0.5, a 1×1 conv to 1000 classes with ReLU and
        global average pooling — no fully connected layer.""",
    )


@template(
    "squeezenet1_0",
    "SqueezeNet 1.0",
    2016,
    "Fire modules: AlexNet accuracy with 50× fewer parameters",
    TV,
    1_248_424,
    "0.82 G",
    TV_DOCS,
    (3, 64, 64),
)
def squeezenet1_0() -> Project:
    """torchvision's squeezenet1_0."""
    return _squeezenet("1_0")


@template(
    "squeezenet1_1",
    "SqueezeNet 1.1",
    2016,
    "SqueezeNet with 2.4× less computation (earlier pooling)",
    TV,
    1_235_496,
    "0.35 G",
    TV_DOCS,
    (3, 64, 64),
)
def squeezenet1_1() -> Project:
    """torchvision's squeezenet1_1."""
    return _squeezenet("1_1")
