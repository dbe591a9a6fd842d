"""Plain stacks of convolutions: LeNet-5, AlexNet (torchvision and Caffe), ZFNet, VGG, NIN."""

from __future__ import annotations

from runtime.project import Project
from runtime.zoo.net import Net
from runtime.zoo.registry import template

TV = "torchvision.models (ImageNet, 3×224×224, 1000 classes)"
TV_DOCS = "torchvision model docs (GFLOPS column, which counts multiply-adds)"


@template(
    "lenet5",
    "LeNet-5",
    1998,
    "trainable convolution + subsampling stages ending in fully connected layers",
    "LeCun et al. 1998, 'Gradient-based learning applied to document recognition'",
    61_706,
)
def lenet5() -> Project:
    """LeNet-5 on 1×28×28 (conv1 padded to act as the paper's 32×32 input)."""
    net = Net()
    net.conv("conv1", 6, 5, padding=2)
    net.add("tanh", "tanh1")
    net.add("avg_pool", "avgpool1", kernel_size=2, stride=2)
    net.conv("conv2", 16, 5, padding="valid")
    net.add("tanh", "tanh2")
    net.add("avg_pool", "avgpool2", kernel_size=2, stride=2)
    net.add("flatten", "flatten1")
    net.linear("fc1", 120)
    net.add("tanh", "tanh3")
    net.linear("fc2", 84)
    net.add("tanh", "tanh4")
    net.add("output", "head1", num_classes=10)
    return net.project(
        "LeNet-5",
        (1, 28, 28),
        """LeNet-5 (LeCun et al. 1998): two convolution-subsampling
        stages and three fully connected layers.""",
    )


def _fc_head(net: Net, dropout_first: bool, classes: int = 1000) -> None:
    """fc6, fc7 (4096 wide, ReLU, dropout 0.5) and the fc8 classifier."""
    for i in (6, 7):
        if dropout_first:
            net.add("dropout", f"dropout{i}", p=0.5)
        net.linear(f"fc{i}", 4096)
        net.add("relu", f"relu{i}")
        if not dropout_first:
            net.add("dropout", f"dropout{i}", p=0.5)
    net.add("output", "fc8", num_classes=classes)


@template(
    "alexnet",
    "AlexNet (torchvision)",
    2012,
    "ReLU, dropout and GPU training win ImageNet by a wide margin",
    TV,
    61_100_840,
    "0.71 G",
    TV_DOCS,
    test_input=(3, 64, 64),
)
def alexnet() -> Project:
    """torchvision's single-tower AlexNet (the 'one weird trick' widths 64-192-384-256-256)."""
    net = Net()
    net.conv("conv1", 64, 11, stride=4, padding=2)
    net.add("relu", "relu1")
    net.max_pool("pool1", 3, 2)
    net.conv("conv2", 192, 5, padding=2)
    net.add("relu", "relu2")
    net.max_pool("pool2", 3, 2)
    for i, width in ((3, 384), (4, 256), (5, 256)):
        net.conv(f"conv{i}", width, 3, padding=1)
        net.add("relu", f"relu{i}")
    net.max_pool("pool5", 3, 2)
    net.add("adaptive_avg_pool", "avgpool", output_height=6, output_width=6)
    net.add("flatten", "flatten")
    _fc_head(net, dropout_first=True)
    return net.project(
        "AlexNet",
        (3, 224, 224),
        """AlexNet as torchvision defines it (Krizhevsky 2014, 'One weird trick'): one tower, conv
        widths 64/192/384/256/256, no LRN, adaptive 6×6 pooling before the classifier, dropout
        before fc6 and fc7. 61,100,840 parameters, like torchvision.models.alexnet.""",
    )


@template(
    "alexnet_caffe",
    "AlexNet (paper, two-GPU groups)",
    2012,
    "ReLU, LRN, overlapping pooling, dropout; the network split over two GPUs",
    "Krizhevsky, Sutskever & Hinton 2012; BVLC Caffe bvlc_alexnet (60,965,224 parameters)",
    60_965_224,
)
def alexnet_caffe() -> Project:
    """The paper's AlexNet at 3×227×227 with groups=2 on conv2, conv4, conv5 and LRN after conv1,
    conv2."""
    net = Net()
    net.conv("conv1", 96, 11, stride=4, padding=0)
    net.add("relu", "relu1")
    net.add("local_response_norm", "norm1", size=5, alpha=1e-4, beta=0.75, k=2.0)
    net.add("overlapping_pool", "pool1", kernel_size=3, stride=2)
    net.conv("conv2", 256, 5, padding=2, groups=2)
    net.add("relu", "relu2")
    net.add("local_response_norm", "norm2", size=5, alpha=1e-4, beta=0.75, k=2.0)
    net.add("overlapping_pool", "pool2", kernel_size=3, stride=2)
    for i, width, groups in ((3, 384, 1), (4, 384, 2), (5, 256, 2)):
        net.conv(f"conv{i}", width, 3, padding=1, groups=groups)
        net.add("relu", f"relu{i}")
    net.add("overlapping_pool", "pool5", kernel_size=3, stride=2)
    net.add("flatten", "flatten")
    _fc_head(net, dropout_first=False)
    return net.project(
        "AlexNet (2012 paper)",
        (3, 227, 227),
        """AlexNet as in the paper (Krizhevsky, Sutskever & Hinton 2012) and BVLC Caffe's
        bvlc_alexnet: 3×227×227 input (224 does not divide: (224−11)/4+1 is not whole), conv1
        96@11×11/4 → 55×55, LRN (n=5, α=1e-4, β=0.75, k=2), overlapping 3/2 max pooling, conv2,
        conv4 and conv5 grouped in two (the two-GPU split), pool5 → 256×6×6, fc6/fc7 4096 with
        dropout 0.5, fc8 1000. 60,965,224 parameters. torch's LocalResponseNorm divides α by n, as
        Caffe does.""",
    )


@template(
    "zfnet",
    "ZFNet",
    2013,
    "deconvnet visualisation of features; smaller first-layer stride and filters",
    "Zeiler & Fergus 2013, 'Visualizing and understanding convolutional networks', Fig. 3; "
    "parameters counted from that layer table",
    62_357_608,
)
def zfnet() -> Project:
    """ZFNet as in the paper's Fig. 3: 7×7/2 conv1, 5×5/2 conv2, 224×224 input."""
    net = Net()
    net.conv("conv1", 96, 7, stride=2, padding=1)
    net.add("relu", "relu1")
    net.max_pool("pool1", 3, 2, ceil_mode=True)
    net.add("local_response_norm", "norm1", size=5, alpha=1e-4, beta=0.75, k=2.0)
    net.conv("conv2", 256, 5, stride=2, padding=0)
    net.add("relu", "relu2")
    net.max_pool("pool2", 3, 2, ceil_mode=True)
    net.add("local_response_norm", "norm2", size=5, alpha=1e-4, beta=0.75, k=2.0)
    for i, width in ((3, 384), (4, 384), (5, 256)):
        net.conv(f"conv{i}", width, 3, padding=1)
        net.add("relu", f"relu{i}")
    net.max_pool("pool5", 3, 2, ceil_mode=True)
    net.add("flatten", "flatten")
    _fc_head(net, dropout_first=False)
    return net.project(
        "ZFNet",
        (3, 224, 224),
        """ZFNet (Zeiler & Fergus 2013), the layout of the paper's Fig. 3: conv1 96@7×7/2 → 110×110,
        3/2 max pooling → 55×55, contrast normalization, conv2 256@5×5/2 → 26×26, pool → 13×13,
        conv3-5 384/384/256, pool5 → 256×6×6, fc6/fc7 4096 with dropout,
        fc8 1000. Pooling rounds up (Caffe's convention) to reproduce the paper's sizes; single
        tower, no groups.""",
    )


VGG_CONFIGS: dict[str, list[list[int]]] = {
    "11": [[64], [128], [256, 256], [512, 512], [512, 512]],
    "13": [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
    "16": [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
    "19": [[64, 64], [128, 128], [256] * 4, [512] * 4, [512] * 4],
}
"""Conv widths per stage of VGG configurations A, B, D and E (each stage ends in a 2×2 max pool)."""

VGG_REFERENCE: dict[str, tuple[int, str]] = {
    "vgg11": (132_863_336, "7.61 G"),
    "vgg11_bn": (132_868_840, "7.61 G"),
    "vgg13": (133_047_848, "11.31 G"),
    "vgg13_bn": (133_053_736, "11.31 G"),
    "vgg16": (138_357_544, "15.47 G"),
    "vgg16_bn": (138_365_992, "15.47 G"),
    "vgg19": (143_667_240, "19.63 G"),
    "vgg19_bn": (143_678_248, "19.63 G"),
}
"""torchvision's num_params and GFLOPS for each VGG."""


def _vgg(depth: str, batch_norm: bool) -> Project:
    """A torchvision VGG: 3×3 conv stages with 2×2 max pooling, adaptive 7×7 pooling, three FC
    layers."""
    net = Net()
    for stage, widths in enumerate(VGG_CONFIGS[depth], start=1):
        for i, width in enumerate(widths, start=1):
            net.conv(f"conv{stage}_{i}", width, 3, padding=1)
            if batch_norm:
                net.add("batch_norm", f"bn{stage}_{i}")
            net.add("relu", f"relu{stage}_{i}")
        net.max_pool(f"pool{stage}", 2, 2)
    net.add("adaptive_avg_pool", "avgpool", output_height=7, output_width=7)
    net.add("flatten", "flatten")
    _fc_head(net, dropout_first=False)
    suffix = " with BatchNorm" if batch_norm else ""
    title = f"VGG-{depth}{' BN' if batch_norm else ''}"
    return net.project(
        title,
        (3, 224, 224),
        f"""VGG-{depth}{suffix} (Simonyan & Zisserman 2014) as torchvision defines it: stacks of 3×3
        convolutions (two have the receptive field of a 5×5 with 18C² instead of 25C² weights), 2×2
        max pooling, adaptive 7×7 average pooling, fc6/fc7 4096 with dropout, fc8 1000.""",
    )


def _register_vgg() -> None:
    for depth in VGG_CONFIGS:
        for bn in (False, True):
            name = f"vgg{depth}{'_bn' if bn else ''}"
            params, macs = VGG_REFERENCE[name]
            introduced = (
                "BatchNorm added to VGG"
                if bn
                else "depth from small 3×3 convolutions stacked"
                + (" (configuration A)" if depth == "11" else "")
            )
            template(
                name,
                f"VGG-{depth}{' BN' if bn else ''}",
                2014,
                introduced,
                TV,
                params,
                macs,
                TV_DOCS,
                (3, 32, 32),
            )(lambda d=depth, b=bn: _vgg(d, b))


_register_vgg()


@template(
    "nin",
    "Network in Network",
    2013,
    "mlpconv (1×1 convolutions) and global average pooling instead of FC layers",
    "Lin, Chen & Yan 2013; the authors' CIFAR-10 Caffe model definition "
    "(966,986 parameters counted from it)",
    966_986,
)
def nin() -> Project:
    """NIN for CIFAR-10: three mlpconv layers (k×k conv then two 1×1 convs) and global average
    pooling."""
    net = Net()
    stages = ((192, 160, 96, 5), (192, 192, 192, 5), (192, 192, 10, 3))
    for i, (conv, mid, out, k) in enumerate(stages, start=1):
        net.add(
            "mlpconv",
            f"mlpconv{i}",
            conv_channels=conv,
            mid_channels=mid,
            out_channels=out,
            kernel_size=k,
            padding=k // 2,
        )
        if i == 1:
            net.max_pool("pool1", 3, 2, ceil_mode=True)
        elif i == 2:
            net.add("avg_pool", "pool2", kernel_size=3, stride=2, ceil_mode=True)
        if i < 3:
            net.add("dropout", f"dropout{i}", p=0.5)
    net.add("global_avg_pool", "pool3")
    net.add("flatten", "flatten")
    net.add("output", "scores", num_classes=0)
    return net.project(
        "Network in Network",
        (3, 32, 32),
        """Network in Network (Lin, Chen & Yan 2013), the authors' CIFAR-10 model: three mlpconv
        layers (a 5×5/5×5/3×3 convolution followed by two 1×1 convolutions, each with ReLU), 3/2
        pooling rounded up as in Caffe, dropout, and global average pooling of the ten 8×8 class
        maps instead of fully connected layers.""",
    )
