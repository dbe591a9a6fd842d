"""Composite blocks of NIN (mlpconv), SqueezeNet (fire module) and Highway networks; each expands
into primitives."""

from __future__ import annotations

from blocks.catalogue._common import (
    first_error,
    float_param,
    image,
    int_param,
    kernel,
    out_channels,
    spatial_check,
    stride,
)
from blocks.catalogue.blocks_subgraph import IN, SubGraphBuilder, needs_image
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import Ctor, SubGraph

misc_blocks_modules = lazy("blocks.modules.misc_blocks")

CAT = "Blocks"


# ----- MLPconv (Network in Network) -----------------------------------------------------------
def _mlpconv_expand(p, shapes) -> SubGraph:
    b = SubGraphBuilder()
    x = b.conv(
        "conv",
        IN,
        p["conv_channels"],
        p["kernel_size"],
        p["stride"],
        bias=True,
        padding=p["padding"],
        weights="conv",
    )
    x = b.conv("cccp1", b.act("relu0", x), p["mid_channels"], 1, bias=True, weights="cccp1")
    x = b.conv("cccp2", b.act("relu1", x), p["out_channels"], 1, bias=True, weights="cccp2")
    return b.build(b.act("relu2", x))


@block(
    id="mlpconv",
    title="MLPconv (NIN)",
    category=CAT,
    params=(
        out_channels(192),
        kernel(5),
        stride(1),
        int_param("padding", 2, "Zero pixels added on each side of the k×k conv.", 0, 64),
        int_param("mid_channels", 160, "Channels of the first 1×1 conv.", 1, 16384),
        int_param(
            "conv_channels", 192, "Filters of the k×k conv (192 in every NIN block).", 1, 16384
        ),
    ),
    summary=lambda p: (
        f"{p['conv_channels']}-{p['mid_channels']}-{p['out_channels']} @ "
        f"{p['kernel_size']}×{p['kernel_size']}" + (f" /{p['stride']}" if p["stride"] > 1 else "")
    ),
    check=lambda p, s: spatial_check(s, p["kernel_size"], p["padding"]),
    receptive=lambda p: ((p["kernel_size"], p["stride"]), (1, 1), (1, 1)),
    composite=True,
    expand=_mlpconv_expand,
)
def mlpconv(p, shapes):
    """Network in Network's 'micro network': a k×k conv to conv_channels, then two 1×1 convs
    ('cccp') to mid_channels and out_channels, each with bias and ReLU — a small MLP slid over every
    pixel, giving more non-linearity per receptive field than one conv (Lin et al. 2013). The
    CIFAR-10 NIN uses (192, 160, 96) @ 5×5, (192, 192, 192) @ 5×5 and (192, 192, 10) @ 3×3, then
    global average pooling instead of fully connected layers."""
    c = image(shapes)[0]
    return Ctor(
        misc_blocks_modules.MLPConv,
        (c, p["conv_channels"], p["mid_channels"], p["out_channels"]),
        {"kernel_size": p["kernel_size"], "stride": p["stride"], "padding": p["padding"]},
    )


# ----- Fire (SqueezeNet) ----------------------------------------------------------------------
def _fire_expand(p, shapes) -> SubGraph:
    b = SubGraphBuilder()
    x = b.act("squeeze_relu", b.conv("squeeze", IN, p["squeeze"], 1, bias=True, weights="squeeze"))
    e1 = b.act(
        "expand1x1_relu", b.conv("expand1x1", x, p["expand1x1"], 1, bias=True, weights="expand1x1")
    )
    e3 = b.act(
        "expand3x3_relu", b.conv("expand3x3", x, p["expand3x3"], 3, bias=True, weights="expand3x3")
    )
    return b.build(b.add("cat", "concat", None, (e1, e3)))


@block(
    id="fire",
    title="Fire Module (SqueezeNet)",
    short_title="Fire Module",
    category=CAT,
    params=(
        int_param("squeeze", 16, "Channels of the 1×1 squeeze conv.", 1, 16384),
        int_param("expand1x1", 64, "Filters of the 1×1 expand conv.", 1, 16384),
        int_param("expand3x3", 64, "Filters of the 3×3 expand conv.", 1, 16384),
    ),
    summary=lambda p: f"s{p['squeeze']} e{p['expand1x1']}+{p['expand3x3']}",
    check=needs_image,
    receptive=lambda p: ((1, 1), (3, 1)),
    composite=True,
    expand=_fire_expand,
)
def fire(p, shapes):
    """SqueezeNet's module: a 1×1 'squeeze' conv narrows the channels, then parallel 1×1 and 3×3
    'expand' convs (ReLU after each) are concatenated. Few inputs reach the costly 3×3 filters, so
    SqueezeNet matches AlexNet's accuracy with 50× fewer parameters (Iandola et al. 2016)."""
    c = image(shapes)[0]
    return Ctor(misc_blocks_modules.Fire, (c, p["squeeze"], p["expand1x1"], p["expand3x3"]))


# ----- Highway --------------------------------------------------------------------------------
def _highway_expand(p, shapes) -> SubGraph:
    c, k = shapes[0][0], p["kernel_size"]
    b = SubGraphBuilder()
    h = b.act("plain_relu", b.conv("plain", IN, c, k, bias=True, weights="plain"))
    t = b.act("gate_sigmoid", b.conv("gate", IN, c, k, bias=True, weights="gate"), "sigmoid")
    carry = b.add("carry", "one_minus", None, (t,))
    th = b.add("transform", "multiply", None, (t, h))
    cx = b.add("keep", "multiply", None, (carry, IN))
    return b.build(b.add("add", "add", None, (th, cx)))


def _highway_check(p, shapes) -> str | None:
    image(shapes)
    if p["kernel_size"] % 2 == 0:
        return (
            f"kernel_size {p['kernel_size']} must be odd so that the output keeps the input's size"
        )
    return first_error(spatial_check(shapes, p["kernel_size"], p["kernel_size"] // 2))


@block(
    id="highway",
    title="Highway Block",
    category=CAT,
    params=(
        kernel(3),
        float_param(
            "gate_bias",
            -1.0,
            "Initial bias of the transform gate; negative "
            "starts the block close to passing its input through.",
            -20.0,
            20.0,
        ),
    ),
    summary=lambda p: f"highway {p['kernel_size']}×{p['kernel_size']}",
    check=_highway_check,
    receptive=lambda p: ((p["kernel_size"], 1),),
    composite=True,
    expand=_highway_expand,
)
def highway(p, shapes):
    """A gated shortcut: y = T·H(x) + (1 − T)·x, with H a conv + ReLU and the transform gate T a
    conv + sigmoid, both keeping the channels. The gate's negative initial bias makes the block
    start near the identity, so information crosses many layers; the forerunner of residual
    connections (Srivastava et al. 2015). Twice the weights of one conv."""
    c = image(shapes)[0]
    return Ctor(
        misc_blocks_modules.Highway,
        (c,),
        {"kernel_size": p["kernel_size"], "gate_bias": p["gate_bias"]},
    )
