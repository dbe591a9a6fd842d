"""Residual composite blocks, each one palette entry that expands into primitives: ResNet basic and
bottleneck, ResNeXt, pre-activation, Wide-ResNet, and squeeze-excitation."""

from __future__ import annotations

from blocks.catalogue._common import float_param, image, int_param, out_channels, stride
from blocks.catalogue.blocks_subgraph import IN, SubGraphBuilder, needs_image
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import GLOBAL_RF, Ctor, SubGraph

attention_modules = lazy("blocks.modules.attention")
residual_modules = lazy("blocks.modules.residual")

CAT = "Blocks"
SD = float_param(
    "stochastic_depth",
    0.0,
    "Probability of skipping the residual branch of a sample at "
    "train time (stochastic depth, row mode); identity at evaluation.",
    0.0,
    1.0,
)
SE = int_param(
    "se_reduction",
    0,
    "Squeeze-excitation on the branch with C/r hidden channels; 0 = none.",
    0,
    4096,
)


def _se_channels(channels: int, reduction: int) -> int:
    return channels // reduction if reduction else 0


def _se_check(channels: int, reduction: int, key: str = "se_reduction") -> str | None:
    if reduction and channels // reduction < 1:
        return (
            f"{key}={reduction} leaves no hidden channel of the {channels} the SE sees: "
            f"choose {key} at most {channels}"
        )
    return None


def _suffix(p) -> str:
    text = f" /{p['stride']}" if p["stride"] > 1 else ""
    if p.get("se_reduction"):
        text += f" SE{p['se_reduction']}"
    if p.get("stochastic_depth"):
        text += f" sd{p['stochastic_depth']:g}"
    return text


def _rf(layers, se: bool):
    return tuple(layers) + (GLOBAL_RF if se else ())


def _tail(b: SubGraphBuilder, branch: str, shortcut: str, p, channels: int, relu: bool) -> str:
    """SE and stochastic depth on the branch, then Add (branch, shortcut) and the final ReLU."""
    if p.get("se_reduction"):
        branch = b.se(
            "se", branch, channels, _se_channels(channels, p["se_reduction"]), "relu", "se"
        )
    branch = b.drop_path("drop_path", branch, p["stochastic_depth"])
    out = b.add("add", "add", None, (branch, shortcut))
    return b.act("relu", out) if relu else out


# ----- ResNet basic block -------------------------------------------------------------------
def _basic_check(p, shapes) -> str | None:
    image(shapes)
    return _se_check(p["out_channels"], p["se_reduction"])


def _basic_expand(p, shapes) -> SubGraph:
    c, out, s = shapes[0][0], p["out_channels"], p["stride"]
    b = SubGraphBuilder()
    x = b.act("relu1", b.bn("bn1", b.conv("conv1", IN, out, 3, s, weights="conv1"), weights="bn1"))
    x = b.bn("bn2", b.conv("conv2", x, out, 3, weights="conv2"), weights="bn2")
    shortcut = IN
    if s != 1 or c != out:
        shortcut = b.conv_bn(
            "downsample", IN, out, ("downsample.0", "downsample.1"), 1, s, act=None
        )
    return b.build(_tail(b, x, shortcut, p, out, relu=True))


@block(
    id="residual_basic",
    title="Residual Basic Block",
    short_title="Basic Block",
    category=CAT,
    params=(out_channels(64), stride(1), SD, SE),
    summary=lambda p: f"{p['out_channels']}{_suffix(p)}",
    check=_basic_check,
    receptive=lambda p: _rf(((3, p["stride"]), (3, 1)), p["se_reduction"] > 0),
    composite=True,
    expand=_basic_expand,
)
def residual_basic(p, shapes):
    """ResNet's basic block: two 3×3 conv-BN layers (ReLU between) whose output is added to the
    input, then ReLU. The identity shortcut lets the gradient reach early layers unchanged, so 18-
    and 34-layer networks train (He et al. 2015). When the stride or the channel count changes, the
    shortcut becomes a 1×1 conv (stride s) + BN projection. Cost ≈ 9·C_in·C + 9·C² weights. Optional
    squeeze-excitation and stochastic depth act on the residual branch."""
    c = image(shapes)[0]
    se = _se_channels(p["out_channels"], p["se_reduction"])
    return Ctor(residual_modules.BasicBlock, (c, p["out_channels"]), _kw(p, se_channels=se or None))


def _kw(p, **extra) -> dict:
    kw = {"stride": p["stride"]} if p["stride"] != 1 else {}
    kw.update({k: v for k, v in extra.items() if v is not None})
    if p.get("stochastic_depth"):
        kw["stochastic_depth"] = p["stochastic_depth"]
    return kw


# ----- ResNet bottleneck / ResNeXt ------------------------------------------------------------
def _width(p) -> int:
    return int(p["planes"] * (p["base_width"] / 64.0)) * p["groups"]


def _bottleneck_check(p, shapes) -> str | None:
    image(shapes)
    if int(p["planes"] * (p["base_width"] / 64.0)) < 1:
        return (
            f"planes·base_width/64 = {p['planes'] * p['base_width'] / 64:g} is below one channel "
            "per group: raise planes or base_width"
        )
    return _se_check(p["planes"] * p["expansion"], p["se_reduction"])


def _bottleneck_expand(p, shapes) -> SubGraph:
    c, s, width = shapes[0][0], p["stride"], _width(p)
    out = p["planes"] * p["expansion"]
    b = SubGraphBuilder()
    x = b.act("relu1", b.bn("bn1", b.conv("conv1", IN, width, 1, weights="conv1"), weights="bn1"))
    x = b.conv("conv2", x, width, 3, s, p["groups"], weights="conv2")
    x = b.act("relu2", b.bn("bn2", x, weights="bn2"))
    x = b.bn("bn3", b.conv("conv3", x, out, 1, weights="conv3"), weights="bn3")
    shortcut = IN
    if s != 1 or c != out:
        shortcut = b.conv_bn(
            "downsample", IN, out, ("downsample.0", "downsample.1"), 1, s, act=None
        )
    return b.build(_tail(b, x, shortcut, p, out, relu=True))


def _bottleneck_make(p, shapes) -> Ctor:
    c = image(shapes)[0]
    se = _se_channels(p["planes"] * p["expansion"], p["se_reduction"])
    kw = _kw(
        p,
        groups=p["groups"],
        base_width=p["base_width"],
        expansion=p["expansion"],
        se_channels=se or None,
    )
    return Ctor(residual_modules.Bottleneck, (c, p["planes"]), kw)


def _bottleneck_params(groups: int, base_width: int):
    return (
        int_param(
            "planes",
            64,
            "Width of the block; the output has planes × expansion channels.",
            1,
            16384,
        ),
        stride(1),
        int_param("groups", groups, "Groups of the 3×3 conv (ResNeXt's cardinality).", 1, 4096),
        int_param(
            "base_width",
            base_width,
            "Channels per group at planes = 64 (width = int(planes·base_width/64)·groups).",
            1,
            16384,
        ),
        int_param("expansion", 4, "Output channels = planes × expansion.", 1, 64),
        SD,
        SE,
    )


def _bottleneck_summary(p) -> str:
    text = f"{p['planes']}×{p['expansion']}"
    if p["groups"] > 1:
        text += f" {p['groups']}×{p['base_width']}d"
    return text + _suffix(p)


def _bottleneck_rf(p):
    return _rf(((1, 1), (3, p["stride"]), (1, 1)), p["se_reduction"] > 0)


@block(
    id="bottleneck",
    title="Residual Bottleneck",
    short_title="Bottleneck",
    category=CAT,
    params=_bottleneck_params(1, 64),
    summary=_bottleneck_summary,
    check=_bottleneck_check,
    receptive=_bottleneck_rf,
    composite=True,
    expand=_bottleneck_expand,
)
def bottleneck(p, shapes):
    """ResNet-50/101/152's block: a 1×1 conv narrows to `planes`, a 3×3 conv works at that width
    (carrying the stride, 'ResNet v1.5'), a 1×1 conv widens to planes × 4; each with BN, added to
    the shortcut, then ReLU. Deep networks stay affordable: a 256-channel block costs about 70k
    weights instead of the 1.2M of two 3×3 convs at full width (He et al. 2015). A 1×1 conv + BN
    projection replaces the identity when the stride or channel count changes."""
    return _bottleneck_make(p, shapes)


@block(
    id="resnext",
    title="ResNeXt Block",
    category=CAT,
    params=_bottleneck_params(32, 4),
    summary=_bottleneck_summary,
    check=_bottleneck_check,
    receptive=_bottleneck_rf,
    composite=True,
    expand=_bottleneck_expand,
)
def resnext(p, shapes):
    """A bottleneck whose 3×3 conv is split into `groups` parallel paths ('cardinality', Xie et al.
    2017): 32 groups of 4 channels (32×4d) have about the parameters and multiply-adds of a plain
    bottleneck of width 64 but reach higher accuracy; more groups beat more depth or width."""
    return _bottleneck_make(p, shapes)


# ----- pre-activation and wide blocks ---------------------------------------------------------
def _preact_expand(p, shapes, wide: bool) -> SubGraph:
    c, out, s = shapes[0][0], p["out_channels"], p["stride"]
    b = SubGraphBuilder()
    pre = b.act("relu1", b.bn("bn1", IN, weights="bn1"))
    x = b.conv("conv1", pre, out, 3, s, weights="conv1")
    x = b.act("relu2", b.bn("bn2", x, weights="bn2"))
    if wide and p["dropout"] > 0:
        x = b.add("dropout", "dropout", {"p": p["dropout"]}, (x,))
    x = b.conv("conv2", x, out, 3, weights="conv2")
    shortcut = IN
    if s != 1 or c != out:
        key = "convShortcut" if wide else "shortcut.0"
        shortcut = b.conv("shortcut", pre, out, 1, s, weights=key)
    return b.build(_tail(b, x, shortcut, p, out, relu=False))


@block(
    id="preact_residual",
    title="Pre-activation Residual Block",
    short_title="Pre-act Residual",
    category=CAT,
    params=(out_channels(64), stride(1), SD),
    summary=lambda p: f"{p['out_channels']} pre{_suffix(p)}",
    check=needs_image,
    receptive=lambda p: ((3, p["stride"]), (3, 1)),
    composite=True,
    expand=lambda p, s: _preact_expand(p, s, wide=False),
)
def preact_residual(p, shapes):
    """ResNet v2's block: BN-ReLU-conv twice, and the sum is not passed through a ReLU, so the
    shortcut path from input to output is a pure identity; this trains better at 100+ layers (He et
    al. 2016). A 1×1 conv (stride s, no BN) on the pre-activated input projects the shortcut when
    the shape changes (as in the common pytorch-cifar PreActBlock)."""
    c = image(shapes)[0]
    return Ctor(residual_modules.PreActBlock, (c, p["out_channels"]), _kw(p))


@block(
    id="wide_residual",
    title="Wide Residual Block",
    short_title="Wide Residual",
    category=CAT,
    params=(
        out_channels(160),
        stride(1),
        float_param("dropout", 0.3, "Dropout between the two convs (training only).", 0.0, 1.0),
        SD,
    ),
    summary=lambda p: (
        f"{p['out_channels']} wide{_suffix(p)}" + (f" drop{p['dropout']:g}" if p["dropout"] else "")
    ),
    check=needs_image,
    receptive=lambda p: ((3, p["stride"]), (3, 1)),
    composite=True,
    expand=lambda p, s: _preact_expand(p, s, wide=True),
)
def wide_residual(p, shapes):
    """Wide-ResNet's block: a pre-activation block made k times wider (WRN-28-10: 160, 320, 640
    channels) with dropout between its two 3×3 convs. A 16-layer-deep wide network matches a
    1000-layer thin one and trains several times faster (Zagoruyko & Komodakis 2016). Laid out as
    the common WideResNet-pytorch code: the 1×1 projection (no BN) takes the pre-activated input."""
    c = image(shapes)[0]
    kw = _kw(p)
    if p["dropout"]:
        kw["dropout"] = p["dropout"]
    return Ctor(residual_modules.WideBasic, (c, p["out_channels"]), kw)


# ----- squeeze-excitation ---------------------------------------------------------------------
def _se_expand(p, shapes) -> SubGraph:
    c = shapes[0][0]
    b = SubGraphBuilder()
    x = b.se("se", IN, c, c // p["reduction"], "relu", "")
    return b.build(x)


@block(
    id="squeeze_excitation",
    title="Squeeze-Excitation",
    short_title="SE Block",
    category=CAT,
    params=(int_param("reduction", 16, "Hidden channels = C / reduction.", 1, 4096),),
    summary=lambda p: f"SE /{p['reduction']}",
    check=lambda p, s: _se_check(image(s)[0], p["reduction"], "reduction"),
    receptive=lambda p: GLOBAL_RF,
    composite=True,
    expand=_se_expand,
)
def squeeze_excitation(p, shapes):
    """Channel attention: global average pooling 'squeezes' each channel to one number, a 1×1 conv
    reduces C to C/r (ReLU), another restores C, and a sigmoid gives a weight in (0, 1) that
    rescales each channel. About 2C²/r extra weights and almost no compute; SENet won ImageNet 2017
    with it (Hu et al.). Its output depends on the whole image, so its receptive field is global."""
    c = image(shapes)[0]
    return Ctor(attention_modules.SqueezeExcitation, (c, c // p["reduction"]))
