"""Convolution blocks: plain, pointwise, dilated, grouped (with channel shuffle),
depthwise-separable, transposed and asymmetric (k×1 then 1×k)."""

from __future__ import annotations


from blocks.catalogue._common import (
    bias,
    dilation,
    effective_kernel,
    first_error,
    group_check,
    image,
    int_param,
    kernel,
    out_channels,
    padding,
    resolve_padding,
    same_padding_check,
    spatial_check,
    stride,
)
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import Ctor

nn = lazy("torch.nn")
conv_modules = lazy("blocks.modules.conv")

CAT = "Convolution"
GROUPS = int_param(
    "groups", 1, "Split channels into this many independent groups; parameters ÷ groups.", 1, 4096
)


def _conv_summary(p) -> str:
    text = f"{p['out_channels']} @ {p['kernel_size']}×{p['kernel_size']}"
    if p.get("stride", 1) > 1:
        text += f" /{p['stride']}"
    if p.get("dilation", 1) > 1:
        text += f" d{p['dilation']}"
    if p.get("groups", 1) > 1:
        text += f" g{p['groups']}"
    return text


def _conv_check(p, shapes) -> str | None:
    c = image(shapes)[0]
    d = p.get("dilation", 1)
    return first_error(
        same_padding_check(p),
        group_check(c, p["out_channels"], p.get("groups", 1)),
        spatial_check(shapes, effective_kernel(p["kernel_size"], d), resolve_padding(p)),
    )


def _conv_rf(p):
    return ((effective_kernel(p["kernel_size"], p.get("dilation", 1)), p.get("stride", 1)),)


def _conv2d(p, shapes) -> Ctor:
    c = image(shapes)[0]
    kw = {"kernel_size": p["kernel_size"]}
    if p["stride"] != 1:
        kw["stride"] = p["stride"]
    pad = resolve_padding(p)
    if pad:
        kw["padding"] = pad
    if p["dilation"] != 1:
        kw["dilation"] = p["dilation"]
    if p["groups"] != 1:
        kw["groups"] = p["groups"]
    if not p["bias"]:
        kw["bias"] = False
    return Ctor(nn.Conv2d, (c, p["out_channels"]), kw)


_CONV_PARAMS = (out_channels(), kernel(), stride(), padding(), dilation(), GROUPS, bias())


@block(
    id="conv2d",
    title="Conv2d",
    category=CAT,
    params=_CONV_PARAMS,
    summary=_conv_summary,
    check=_conv_check,
    receptive=_conv_rf,
)
def conv2d(p, shapes):
    """The workhorse: k×k filters slide over the input with a stride, padding, dilation and groups.
    Output side o = ⌊(w − k_eff + 2p)/s⌋ + 1 with k_eff = d(k−1)+1; parameters k²·C_in/g·C_out
    (+bias); multiply-adds k²·C_in/g·C_out·H_out·W_out, which is why compute, not parameters,
    dominates convs (AlexNet, VGG)."""
    return _conv2d(p, shapes)


@block(
    id="pointwise_conv",
    title="1×1 Pointwise Conv",
    short_title="Conv 1×1",
    category=CAT,
    params=(out_channels(), stride(), GROUPS, bias()),
    summary=lambda p: f"{p['out_channels']} @ 1×1",
    check=lambda p, s: group_check(image(s)[0], p["out_channels"], p["groups"]),
    receptive=lambda p: ((1, p["stride"]),),
)
def pointwise_conv(p, shapes):
    """A 1×1 convolution mixes channels at each pixel: it widens or narrows the network cheaply
    (C_in·C_out parameters) and adds a non-linearity when followed by an activation (NIN,
    GoogLeNet)."""
    return _conv2d({**p, "kernel_size": 1, "padding": 0, "dilation": 1}, shapes)


@block(
    id="dilated_conv",
    title="Dilated (Atrous) Conv",
    short_title="Dilated Conv",
    category=CAT,
    params=(out_channels(), kernel(), padding(), dilation(2), bias()),
    summary=_conv_summary,
    check=_conv_check,
    receptive=_conv_rf,
)
def dilated_conv(p, shapes):
    """A convolution with holes between its taps: stacking dilations 1, 2, 4, … grows the receptive
    field exponentially with depth at no extra parameters and without losing resolution
    (DeepLab)."""
    return _conv2d({**p, "stride": 1, "groups": 1}, shapes)


@block(
    id="grouped_conv",
    title="Grouped Conv",
    category=CAT,
    params=(
        out_channels(),
        kernel(),
        stride(),
        padding(),
        int_param("groups", 2, GROUPS.help, 1, 4096),
        bias(),
    ),
    summary=_conv_summary,
    check=_conv_check,
    receptive=_conv_rf,
)
def grouped_conv(p, shapes):
    """Channels split into g groups, each convolved on its own: parameters and multiply-adds ÷ g.
    AlexNet's two-GPU split is groups=2; ResNeXt calls the number of groups 'cardinality'."""
    return _conv2d({**p, "dilation": 1}, shapes)


@block(
    id="group_conv_shuffle",
    title="Pointwise Group Conv + Shuffle",
    short_title="GConv+Shuffle",
    category=CAT,
    params=(
        out_channels(),
        int_param("groups", 4, "Groups of the 1×1 conv, then shuffled.", 1, 64),
        bias(False),
    ),
    summary=lambda p: f"{p['out_channels']} @ 1×1 g{p['groups']} ⇄",
    check=lambda p, s: group_check(image(s)[0], p["out_channels"], p["groups"]),
)
def group_conv_shuffle(p, shapes):
    """A 1×1 grouped convolution followed by a channel shuffle that interleaves channels across
    groups, so the next grouped layer sees information from every group (ShuffleNet)."""
    c = image(shapes)[0]
    return Ctor(
        conv_modules.GroupConvShuffle, (c, p["out_channels"], p["groups"]), {"bias": p["bias"]}
    )


def _sep_check(p, shapes):
    return first_error(
        same_padding_check(p),
        spatial_check(shapes, effective_kernel(p["kernel_size"], 1), resolve_padding(p)),
    )


@block(
    id="depthwise_separable_conv",
    title="Depthwise Separable Conv",
    short_title="DW-Sep Conv",
    category=CAT,
    params=(out_channels(), kernel(), stride(), padding(), bias(False)),
    summary=_conv_summary,
    check=_sep_check,
    receptive=_conv_rf,
)
def depthwise_separable_conv(p, shapes):
    """A depthwise k×k convolution (one filter per input channel) then a 1×1 pointwise one. Its cost
    relative to a full convolution is 1/C_out + 1/k² (≈ 1/9 for 3×3) (Xception, MobileNet)."""
    c = image(shapes)[0]
    return Ctor(
        conv_modules.DepthwiseSeparableConv,
        (c, p["out_channels"]),
        {
            "kernel_size": p["kernel_size"],
            "stride": p["stride"],
            "padding": resolve_padding(p, d=1),
            "bias": p["bias"],
        },
    )


def _tconv_check(p, shapes):
    image(shapes)
    if p["output_padding"] >= max(p["stride"], 1):
        return f"output_padding {p['output_padding']} must be smaller than the stride {p['stride']}"
    return None


@block(
    id="transposed_conv",
    title="Transposed Conv",
    short_title="ConvTranspose",
    category=CAT,
    params=(
        out_channels(),
        kernel(2),
        stride(2),
        int_param("padding", 0, "Pixels removed from each side of the output.", 0, 64),
        int_param(
            "output_padding", 0, "Extra rows/columns added on one side of the output.", 0, 31
        ),
        bias(),
    ),
    summary=lambda p: f"{p['out_channels']} @ {p['kernel_size']}×{p['kernel_size']} ×{p['stride']}",
    check=_tconv_check,
    receptive=lambda p: ((p["kernel_size"], 1 / p["stride"]),),
)
def transposed_conv(p, shapes):
    """Learnable upsampling ('deconvolution'): o = (w−1)·s − 2p + k + output_padding. Kernel sizes
    not divisible by the stride cause checkerboard artifacts (ZFNet visualisation, FCN, U-Net)."""
    c = image(shapes)[0]
    kw = {"kernel_size": p["kernel_size"], "stride": p["stride"]}
    if p["padding"]:
        kw["padding"] = p["padding"]
    if p["output_padding"]:
        kw["output_padding"] = p["output_padding"]
    if not p["bias"]:
        kw["bias"] = False
    return Ctor(nn.ConvTranspose2d, (c, p["out_channels"]), kw)


@block(
    id="asymmetric_conv",
    title="Asymmetric Conv (1×n, n×1)",
    short_title="Conv 1×n, n×1",
    category=CAT,
    params=(
        out_channels(),
        int_param("n", 3, "Length of the 1×n and n×1 kernels.", 1, 31),
        stride(),
        bias(),
    ),
    summary=lambda p: (
        f"{p['out_channels']} @ 1×{p['n']},{p['n']}×1"
        + (f" /{p['stride']}" if p["stride"] > 1 else "")
    ),
    check=lambda p, s: None if p["n"] % 2 else "n must be odd so that the output keeps its size",
    receptive=lambda p: ((p["n"], p["stride"]),),
)
def asymmetric_conv(p, shapes):
    """An n×n convolution factored into a 1×n then an n×1 one: 2n instead of n² weights per channel
    pair for the same receptive field (Inception-v3, flattened CNNs)."""
    c = image(shapes)[0]
    return Ctor(
        conv_modules.AsymmetricConv,
        (c, p["out_channels"]),
        {"n": p["n"], "stride": p["stride"], "bias": p["bias"]},
    )
