"""Dense-prediction networks: U-Net and FCN-32s."""

from __future__ import annotations

from runtime.project import Project
from runtime.segmentation.demo import CLASSES as DEMO_CLASSES
from runtime.zoo.classic import VGG_CONFIGS
from runtime.zoo.net import Net
from runtime.zoo.registry import template


def _segmenting(project: Project) -> Project:
    """The project as a segmentation project (one class per pixel)."""
    project.task = "segmentation"
    return project


def _double_conv(net: Net, name: str, width: int, src: str | None = None) -> str:
    """Two unpadded 3×3 convolutions with ReLU (each removes a 1-pixel border)."""
    net.conv(f"{name}_conv1", width, 3, padding="valid", src=src)
    net.add("relu", f"{name}_relu1")
    net.conv(f"{name}_conv2", width, 3, padding="valid")
    return net.add("relu", f"{name}_relu2")


@template(
    "unet",
    "U-Net",
    2015,
    "encoder-decoder with skip concatenations for segmentation from few images",
    "Ronneberger, Fischer & Brox 2015, Fig. 1 (1×572×572 → 2×388×388); "
    "parameters counted from the figure",
    31_030_658,
    test_input=(1, 188, 188),
)
def unet() -> Project:
    """The original U-Net with unpadded convolutions and centre crops of the skip connections."""
    net = Net()
    skips = []
    for level, width in enumerate((64, 128, 256, 512), start=1):
        with net.stage(f"enc{level}"):
            skips.append(_double_conv(net, f"enc{level}", width))
            net.max_pool(f"pool{level}", 2, 2)
    with net.stage("bottom"):
        _double_conv(net, "bottom", 1024)
    for level, width in zip((4, 3, 2, 1), (512, 256, 128, 64)):
        with net.stage(f"dec{level}"):
            up = net.add(
                "transposed_conv", f"up{level}", out_channels=width, kernel_size=2, stride=2
            )
            crop = net.add("crop", f"crop{level}", src=[skips[level - 1], up])
            net.add("concat", f"concat{level}", src=[crop, up])
            _double_conv(net, f"dec{level}", width)
    net.conv("classifier", 2, 1, padding=0)
    net.add("output", "segmentation", num_classes=0)
    return _segmenting(
        net.project(
            "U-Net",
            (1, 572, 572),
            """U-Net (Ronneberger, Fischer & Brox 2015) exactly as the paper's Fig. 1: unpadded 3×3
        convolutions (each removes a border pixel), four 2×2 max-pool steps from 64 to 1024
        channels, then 2×2 up-convolutions halving the channels, each concatenated with the
        centre-cropped encoder map of the same level ('copy and crop'), and a final 1×1 convolution
        to 2 classes: 1×572×572 in, 2×388×388 out. Valid input sides are 16k + 124 (e.g. 188,
        572).""",
        )
    )


@template(
    "fcn32s",
    "FCN-32s",
    2014,
    "fully convolutional networks: classifier layers as convolutions, upsampled dense predictions",
    "Long, Shelhamer & Darrell 2015; the authors' voc-fcn32s Caffe prototxt (VGG-16, 21 classes; "
    "134,346,581 learned parameters plus the fixed 21×21×64×64 bilinear upscore)",
    134_346_581,
    test_input=(3, 32, 32),
)
def fcn32s() -> Project:
    """FCN-32s on VGG-16: conv1_1 padded by 100, fc6/fc7 as convolutions, 64×64/32 up-convolution,
    crop."""
    net = Net()
    net.add("zero_pad", "pad100", padding=100)
    for stage, widths in enumerate(VGG_CONFIGS["16"], start=1):
        for i, width in enumerate(widths, start=1):
            net.conv(f"conv{stage}_{i}", width, 3, padding="valid" if stage == i == 1 else 1)
            net.add("relu", f"relu{stage}_{i}")
        net.max_pool(f"pool{stage}", 2, 2, ceil_mode=True)
    net.conv("fc6", 4096, 7, padding="valid")
    net.add("relu", "relu6")
    net.add("dropout", "drop6", p=0.5)
    net.conv("fc7", 4096, 1, padding=0)
    net.add("relu", "relu7")
    net.add("dropout", "drop7", p=0.5)
    net.conv("score_fr", 21, 1, padding=0)
    up = net.add("bilinear_upsample", "upscore", factor=32)
    net.add("crop", "score", src=[up, "input_image"], offset=19)
    net.add("output", "segmentation", num_classes=0)
    return _segmenting(
        net.project(
            "FCN-32s",
            (3, 500, 500),
            """FCN-32s (Long, Shelhamer & Darrell 2015) as in the authors' voc-fcn32s prototxt:
        VGG-16 with the input zero-padded by 100 pixels before an unpadded conv1_1 (the
        prototxt's pad: 100; the Conv2d block caps its own padding at 64), pooling rounded
        up (Caffe), fc6 and fc7 turned into 7×7 and 1×1 convolutions (4096 channels,
        dropout), a 1×1 score layer for the 21 PASCAL VOC classes, a fixed bilinear 64×64
        stride-32 up-convolution per class (the prototxt's upscore, whose lr_mult is 0, so
        it is a buffer here, not a learned parameter) and a crop at offset 19 back to the
        input size. 3×500×500 in, 21×500×500 out.""",
        )
    )


SMALL_WIDTHS = (16, 32, 64)
"""Channels of unet_small's three encoder levels (the bottom has twice the last)."""


def small_unet_data() -> dict:
    """The bundled demo at 128×128: generated shapes with masks, joint flips and shifts."""
    return {
        "source": "shapes",
        "shapes_count": 400,
        "validation": 80,
        "augment": {"crop_padding": 8, "flip": True, "pca_jitter": 0.0},
    }


def small_unet_training() -> dict:
    """Adam with a one-cycle schedule peaking at 0.005 (0.01 made the mIoU collapse for an epoch
    at the peak), activations stored channels-last (about 15 % faster convolutions on a CPU):
    the demo passes mIoU 0.85 within two epochs and ends near 0.96 after six."""
    return {
        "optimizer": "adam",
        "lr": 0.005,
        "batch_size": 8,
        "epochs": 6,
        "schedule": "one_cycle",
        "loss": "cross_entropy_dice",
        "label_smoothing": 0.0,
        "channels_last": True,
        "log_every": 5,
    }


@template(
    "unet_small",
    "U-Net (small)",
    2015,
    "a small padded U-Net: the default segmentation project, trains on the bundled demo",
    "U-Net's design (Ronneberger, Fischer & Brox 2015) with padded 3×3 convolutions, "
    "batch normalisation and base width 16; parameters counted from the builder",
    482_805,
    test_input=(3, 64, 64),
)
def unet_small() -> Project:
    """Three levels of padded double convolutions (16, 32, 64 channels, 128 at the bottom),
    up-convolutions and skip concatenations; output size = input size."""
    net = Net()
    skips = []
    for level, width in enumerate(SMALL_WIDTHS, start=1):
        with net.stage(f"enc{level}"):
            net.conv_bn_act(f"enc{level}_conv1", width, 3, padding=1)
            skips.append(net.conv_bn_act(f"enc{level}_conv2", width, 3, padding=1))
            net.max_pool(f"pool{level}", 2, 2)
    with net.stage("bottom"):
        net.conv_bn_act("bottom_conv1", 2 * SMALL_WIDTHS[-1], 3, padding=1)
        net.conv_bn_act("bottom_conv2", 2 * SMALL_WIDTHS[-1], 3, padding=1)
    for level in range(len(SMALL_WIDTHS), 0, -1):
        width = SMALL_WIDTHS[level - 1]
        with net.stage(f"dec{level}"):
            up = net.add(
                "transposed_conv", f"up{level}", out_channels=width, kernel_size=2, stride=2
            )
            net.add("concat", f"concat{level}", src=[skips[level - 1], up])
            net.conv_bn_act(f"dec{level}_conv1", width, 3, padding=1)
            net.conv_bn_act(f"dec{level}_conv2", width, 3, padding=1)
    net.conv("classifier", len(DEMO_CLASSES), 1, padding=0)
    net.add("output", "segmentation", num_classes=0)
    project = net.project(
        "U-Net (small)",
        (3, 128, 128),
        """A small U-Net for semantic segmentation: padded 3×3 convolutions with batch
        normalisation (so the output is the input's size, 128×128), 16, 32 and 64 channels in
        the encoder and 128 at the bottom, 2×2 up-convolutions concatenated with the encoder map
        of the same level, and a 1×1 convolution to one score map per class. It trains on the
        bundled demo (coloured shapes on textured backgrounds) in about a minute on a CPU.""",
    )
    project.task = "segmentation"
    project.data = small_unet_data()
    project.training = small_unet_training()
    return project
