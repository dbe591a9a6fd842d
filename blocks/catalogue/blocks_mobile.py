"""Composite blocks of mobile networks, each expanding into primitives: MobileNetV2 inverted
residual, EfficientNet MBConv, ShuffleNetV2 unit."""

from __future__ import annotations

from blocks.catalogue._common import float_param, image, int_param, kernel, out_channels, stride
from blocks.catalogue.blocks_subgraph import IN, SubGraphBuilder
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import GLOBAL_RF, Ctor, SubGraph

mobile_modules = lazy("blocks.modules.mobile")

CAT = "Blocks"


def _stride_check(p, shapes, allowed: tuple[int, ...]) -> str | None:
    image(shapes)
    if p["stride"] not in allowed:
        return f"stride {p['stride']} is not supported: use {' or '.join(map(str, allowed))}"
    return None


def _stride_text(p) -> str:
    return f" /{p['stride']}" if p["stride"] > 1 else ""


# ----- MobileNetV2 inverted residual ----------------------------------------------------------
def _inverted_expand(p, shapes) -> SubGraph:
    c, out, s = shapes[0][0], p["out_channels"], p["stride"]
    hidden = int(round(c * p["expand_ratio"]))
    b = SubGraphBuilder()
    x, i = IN, 0
    if p["expand_ratio"] != 1:
        x, i = b.conv_bn("expand", x, hidden, ("conv.0.0", "conv.0.1"), 1, act="relu6"), 1
    x = b.conv_bn("depthwise", x, hidden, (f"conv.{i}.0", f"conv.{i}.1"), 3, s, hidden, act="relu6")
    x = b.conv_bn("project", x, out, (f"conv.{i + 1}", f"conv.{i + 2}"), 1, act=None)
    if s == 1 and c == out:
        x = b.add("add", "add", None, (IN, x))
    return b.build(x)


@block(
    id="inverted_residual",
    title="Inverted Residual (MobileNetV2)",
    short_title="Inv. Residual",
    category=CAT,
    params=(
        out_channels(24),
        stride(1),
        int_param("expand_ratio", 6, "Hidden channels = input channels × expand_ratio.", 1, 64),
    ),
    summary=lambda p: f"{p['out_channels']} ×{p['expand_ratio']}{_stride_text(p)}",
    check=lambda p, s: _stride_check(p, s, (1, 2)),
    receptive=lambda p: ((1, 1), (3, p["stride"]), (1, 1)),
    composite=True,
    expand=_inverted_expand,
)
def inverted_residual(p, shapes):
    """MobileNetV2's block: a 1×1 conv expands the channels t times (ReLU6), a 3×3 depthwise conv
    filters each channel (ReLU6), and a linear 1×1 conv projects back down — no activation there,
    since ReLU in a narrow space destroys information. Thin ends, wide middle: the opposite of a
    bottleneck. The input is added when the stride is 1 and the channels match (Sandler et al.
    2018)."""
    c = image(shapes)[0]
    return Ctor(
        mobile_modules.InvertedResidual, (c, p["out_channels"], p["stride"], p["expand_ratio"])
    )


# ----- EfficientNet MBConv --------------------------------------------------------------------
def make_divisible(v: float, divisor: int = 8) -> int:
    """Round a channel count to a multiple of `divisor`, never down by more than 10%
    (TF/torchvision)."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _mb_sizes(p, c: int) -> tuple[int, int]:
    """(expanded channels, SE squeeze channels) for input channels c."""
    expanded = make_divisible(c * p["expand_ratio"])
    squeeze = max(1, int(c * p["se_ratio"])) if p["se_ratio"] > 0 else 0
    return expanded, squeeze


def _mbconv_expand(p, shapes) -> SubGraph:
    c, out, s, k = shapes[0][0], p["out_channels"], p["stride"], p["kernel_size"]
    expanded, squeeze = _mb_sizes(p, c)
    b = SubGraphBuilder()
    x, i = IN, 0
    if expanded != c:
        x, i = b.conv_bn("expand", x, expanded, ("block.0.0", "block.0.1"), 1, act="silu"), 1
    x = b.conv_bn(
        "depthwise", x, expanded, (f"block.{i}.0", f"block.{i}.1"), k, s, expanded, act="silu"
    )
    if squeeze:
        i += 1
        x = b.se("se", x, expanded, squeeze, "silu", f"block.{i}")
    x = b.conv_bn("project", x, out, (f"block.{i + 1}.0", f"block.{i + 1}.1"), 1, act=None)
    if s == 1 and c == out:
        x = b.drop_path("drop_path", x, p["stochastic_depth"])
        x = b.add("add", "add", None, (x, IN))
    return b.build(x)


def _mbconv_check(p, shapes) -> str | None:
    problem = _stride_check(p, shapes, (1, 2))
    if problem:
        return problem
    if p["kernel_size"] % 2 == 0:
        return f"kernel_size {p['kernel_size']} must be odd (3 or 5 in EfficientNet)"
    return None


def _mbconv_rf(p):
    layers = ((1, 1), (p["kernel_size"], p["stride"]), (1, 1))
    return layers + (GLOBAL_RF if p["se_ratio"] > 0 else ())


@block(
    id="mbconv",
    title="MBConv (EfficientNet)",
    short_title="MBConv",
    category=CAT,
    params=(
        out_channels(16),
        kernel(3),
        stride(1),
        float_param(
            "expand_ratio",
            6.0,
            "Hidden channels ≈ input channels × expand_ratio (rounded to a multiple of 8).",
            1.0,
            64.0,
        ),
        float_param(
            "se_ratio",
            0.25,
            "Squeeze-excitation hidden channels = input channels × se_ratio; 0 = no SE.",
            0.0,
            1.0,
        ),
        float_param(
            "stochastic_depth",
            0.0,
            "Probability of skipping the block for a sample at "
            "train time (only with the identity shortcut).",
            0.0,
            1.0,
        ),
    ),
    summary=lambda p: (
        f"{p['out_channels']} @ {p['kernel_size']}×{p['kernel_size']} ×{p['expand_ratio']:g}"
        + _stride_text(p)
    ),
    check=_mbconv_check,
    receptive=_mbconv_rf,
    composite=True,
    expand=_mbconv_expand,
)
def mbconv(p, shapes):
    """EfficientNet's block (from MnasNet): a MobileNetV2 inverted residual with SiLU activations
    and a squeeze-excitation gate on the expanded channels before the linear 1×1 projection; with
    stride 1 and matching channels the input is added, and stochastic depth randomly skips the block
    during training. EfficientNet-B0 stacks 16 of them in 5.3M parameters (Tan & Le 2019). Laid out
    as torchvision's MBConv."""
    c = image(shapes)[0]
    expanded, squeeze = _mb_sizes(p, c)
    return Ctor(
        mobile_modules.MBConv,
        (c, p["out_channels"], p["kernel_size"], p["stride"], expanded, squeeze),
        {"stochastic_depth": p["stochastic_depth"]} if p["stochastic_depth"] else {},
    )


# ----- ShuffleNetV2 unit ----------------------------------------------------------------------
def _shuffle_branch2(b: SubGraphBuilder, src: str, bf: int, s: int) -> str:
    x = b.conv_bn("branch2_pw1", src, bf, ("branch2.0", "branch2.1"), 1)
    x = b.conv_bn("branch2_dw", x, bf, ("branch2.3", "branch2.4"), 3, s, bf, act=None)
    return b.conv_bn("branch2_pw2", x, bf, ("branch2.5", "branch2.6"), 1)


def _shuffle_expand(p, shapes) -> SubGraph:
    c, s, bf = shapes[0][0], p["stride"], p["out_channels"] // 2
    b = SubGraphBuilder()
    if s == 1:
        left = b.add("split1", "channel_split", {"parts": 2, "index": 0})
        right = _shuffle_branch2(
            b, b.add("split2", "channel_split", {"parts": 2, "index": 1}), bf, s
        )
    else:
        left = b.conv_bn("branch1_dw", IN, c, ("branch1.0", "branch1.1"), 3, s, c, act=None)
        left = b.conv_bn("branch1_pw", left, bf, ("branch1.2", "branch1.3"), 1)
        right = _shuffle_branch2(b, IN, bf, s)
    x = b.add("cat", "concat", None, (left, right))
    return b.build(b.add("shuffle", "channel_shuffle", {"groups": 2}, (x,)))


def _shuffle_check(p, shapes) -> str | None:
    problem = _stride_check(p, shapes, (1, 2, 3))
    c, out = shapes[0][0], p["out_channels"]
    if problem:
        return problem
    if out % 2:
        return f"out_channels {out} must be even: the unit concatenates two halves"
    if p["stride"] == 1 and c != out:
        return (
            f"with stride 1 the unit keeps its {c} channels: set out_channels to {c}, "
            "or use stride 2 to change the width"
        )
    return None


@block(
    id="shufflenet_unit",
    title="ShuffleNetV2 Unit",
    short_title="Shuffle Unit",
    category=CAT,
    params=(out_channels(116), stride(1)),
    summary=lambda p: f"{p['out_channels']} ⇄{_stride_text(p)}",
    check=_shuffle_check,
    receptive=lambda p: ((1, 1), (3, p["stride"]), (1, 1)),
    composite=True,
    expand=_shuffle_expand,
)
def shufflenet_unit(p, shapes):
    """ShuffleNetV2's unit. With stride 1 the channels are split in half: one half passes untouched,
    the other goes through 1×1 conv, 3×3 depthwise conv and 1×1 conv (BN, ReLU); with stride 2 both
    branches downsample the whole input. The halves are concatenated and a channel shuffle mixes
    them for the next unit. Equal channel widths and no grouped 1×1 convs keep memory access low,
    which is what speed on real hardware depends on (Ma et al. 2018). Laid out as torchvision's."""
    c = image(shapes)[0]
    return Ctor(mobile_modules.ShuffleUnit, (c, p["out_channels"], p["stride"]))
