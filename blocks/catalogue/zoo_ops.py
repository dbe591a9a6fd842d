"""Blocks some classic networks need: crop, zero padding, fixed bilinear upsampling, constant
scaling, ResNet's zero-padding shortcut."""

from __future__ import annotations


from blocks.catalogue._common import float_param, fmt_shape, image, int_param
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import Ctor

nn = lazy("torch.nn")
zoo_ops_modules = lazy("blocks.modules.zoo_ops")

CAT = "Regularization & shape"


def _crop_check(p, shapes) -> str | None:
    big, ref = image(shapes), shapes[1]
    if len(ref) != 3:
        return f"needs a feature map as its second (reference) input, got {fmt_shape(ref)}"
    top = (big[1] - ref[1]) // 2 if p["offset"] < 0 else p["offset"]
    left = (big[2] - ref[2]) // 2 if p["offset"] < 0 else p["offset"]
    if top < 0 or left < 0 or top + ref[1] > big[1] or left + ref[2] > big[2]:
        where = "centred" if p["offset"] < 0 else f"from offset {p['offset']}"
        return (
            f"cannot crop {fmt_shape(big)} to {ref[1]}×{ref[2]} {where}: the first input must be "
            "at least as large as the reference"
        )
    return None


@block(
    id="crop",
    title="Crop to Reference",
    short_title="Crop",
    category=CAT,
    min_inputs=2,
    max_inputs=2,
    params=(int_param("offset", -1, "Top-left corner of the crop; −1 centres it.", -1, 4096),),
    summary=lambda p: "crop" + (f" @{p['offset']}" if p["offset"] >= 0 else ""),
    check=_crop_check,
)
def crop(p, shapes):
    """Crops the first input to the height and width of the second (the reference), centred or from
    a fixed offset; channels are kept. U-Net crops encoder maps before concatenating them to the
    decoder's, and FCN crops its upsampled scores back to the image size."""
    return Ctor(zoo_ops_modules.CropTo, (), {"offset": p["offset"]})


@block(
    id="scale",
    title="Scale by Constant",
    short_title="Scale",
    category=CAT,
    params=(float_param("factor", 1.0, "The constant every value is multiplied by."),),
    summary=lambda p: f"×{p['factor']:.4g}",
)
def scale(p, shapes):
    """Multiplies every value by a fixed constant, with no parameters: e.g. airbench's 1/9 scaling
    of the logits, which acts like a softmax temperature."""
    return Ctor(zoo_ops_modules.Scale, (p["factor"],))


@block(
    id="zero_pad",
    title="Zero Padding",
    category=CAT,
    params=(int_param("padding", 1, "Zero pixels added on each side.", 0, 1024),),
    summary=lambda p: f"pad {p['padding']}",
)
def zero_pad(p, shapes):
    """Adds a border of zeros around each feature map, for padding wider than a convolution's own
    limit: FCN pads its input by 100 pixels so that every PASCAL VOC image survives the fc6 7×7
    convolution."""
    image(shapes)
    return Ctor(nn.ZeroPad2d, (p["padding"],))


@block(
    id="bilinear_upsample",
    title="Bilinear Upsample (fixed)",
    short_title="Bilinear Up",
    category=CAT,
    params=(
        int_param("factor", 2, "Upsampling factor (the stride of the up-convolution).", 1, 256),
    ),
    summary=lambda p: f"bilinear ×{p['factor']}",
    receptive=lambda p: ((2 * p["factor"] - p["factor"] % 2, 1 / p["factor"]),),
)
def bilinear_upsample(p, shapes):
    """Upsamples by an integer factor with a fixed bilinear-interpolation up-convolution (kernel
    2f − f mod 2, stride f, one filter per channel, nothing learned): o = (w − 1)·f + k. FCN-32s's
    final 32× upsampling, whose bilinear weights the paper keeps fixed."""
    c = image(shapes)[0]
    return Ctor(zoo_ops_modules.BilinearUpsample, (c, p["factor"]))


def _shortcut_check(p, shapes) -> str | None:
    c = image(shapes)[0]
    if p["out_channels"] < c:
        return (
            f"cannot widen {c} channels to {p['out_channels']}: out_channels "
            "must be at least the input's"
        )
    return None


@block(
    id="zero_pad_shortcut",
    title="Zero-Pad Shortcut (option A)",
    short_title="Pad Shortcut",
    category=CAT,
    params=(
        int_param(
            "out_channels", 32, "Channels after zero-padding (at least the input's).", 1, 16384
        ),
        int_param("stride", 2, "Subsampling factor: keeps every stride-th row and column.", 1, 32),
    ),
    summary=lambda p: f"→{p['out_channels']} /{p['stride']} pad",
    check=_shortcut_check,
    receptive=lambda p: ((1, p["stride"]),),
)
def zero_pad_shortcut(p, shapes):
    """ResNet's parameter-free shortcut 'option A' (He et al. 2016, CIFAR-10 ResNets): keeps every
    stride-th pixel and appends zero channels so an Add can join a block that widens and
    downsamples, where option B would use a 1×1 convolution."""
    c = image(shapes)[0]
    return Ctor(zoo_ops_modules.ZeroPadShortcut, (c, p["out_channels"]), {"stride": p["stride"]})
