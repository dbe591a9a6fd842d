"""Normalization blocks: batch, layer, instance, group, switchable and local-response normalization,
weight-normalized convolution and linear layers, and IBN (instance + batch)."""

from __future__ import annotations


from blocks.catalogue._common import (
    bias,
    float_param,
    image,
    int_param,
    kernel,
    out_channels,
    padding,
    resolve_padding,
    same_padding_check,
    spatial_check,
    stride,
    bool_param,
    effective_kernel,
    first_error,
)
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import Ctor

nn = lazy("torch.nn")
conv_modules = lazy("blocks.modules.conv")
norm_modules = lazy("blocks.modules.norm")

CAT = "Normalization"
EPS = float_param("eps", 1e-5, "Added to the variance for numerical stability.", 0.0, 1.0)
MOMENTUM = float_param(
    "momentum", 0.1, "Weight of the newest batch in the running statistics.", 0.0, 1.0
)
AFFINE = bool_param("affine", True, "Learn a per-channel scale and shift after normalizing.")


@block(
    id="batch_norm",
    title="BatchNorm",
    category=CAT,
    params=(EPS, MOMENTUM, AFFINE),
    summary=lambda p: "BN",
)
def batch_norm(p, shapes):
    """Normalizes each channel over the batch and spatial axes (N, H, W), then scales and shifts.
    Needs batches of a reasonable size; uses running statistics at evaluation time
    (Inception-v2)."""
    c = shapes[0][0]
    kw = {}
    if p["eps"] != 1e-5:
        kw["eps"] = p["eps"]
    if p["momentum"] != 0.1:
        kw["momentum"] = p["momentum"]
    if not p["affine"]:
        kw["affine"] = False
    cls = nn.BatchNorm2d if len(shapes[0]) == 3 else nn.BatchNorm1d
    return Ctor(cls, (c,), kw)


@block(
    id="layer_norm", title="LayerNorm", category=CAT, params=(EPS, AFFINE), summary=lambda p: "LN"
)
def layer_norm(p, shapes):
    """Normalizes each sample over all of its channels and pixels (C, H, W); independent of the
    batch size, so it behaves the same in training and evaluation."""
    kw = {}
    if p["eps"] != 1e-5:
        kw["eps"] = p["eps"]
    if not p["affine"]:
        kw["elementwise_affine"] = False
    return Ctor(nn.LayerNorm, (list(shapes[0]),), kw)


@block(
    id="instance_norm",
    title="InstanceNorm",
    category=CAT,
    params=(EPS, AFFINE),
    summary=lambda p: "IN",
)
def instance_norm(p, shapes):
    """Normalizes each channel of each sample over its pixels (H, W) alone; removes per-image
    contrast, the standard choice in style transfer."""
    c = image(shapes)[0]
    kw = {"affine": p["affine"]}
    if p["eps"] != 1e-5:
        kw["eps"] = p["eps"]
    return Ctor(nn.InstanceNorm2d, (c,), kw)


def _group_check(p, shapes):
    c = image(shapes)[0]
    if c % p["groups"]:
        return (
            f"has {c} channels, not divisible by groups={p['groups']}: choose groups dividing {c}"
        )
    return None


@block(
    id="group_norm",
    title="GroupNorm",
    category=CAT,
    params=(
        int_param(
            "groups", 32, "Channels are split into this many groups, normalized apart.", 1, 4096
        ),
        EPS,
        AFFINE,
    ),
    summary=lambda p: f"GN g{p['groups']}",
    check=_group_check,
)
def group_norm(p, shapes):
    """Splits the channels into G groups and normalizes each group of each sample over (C/G, H, W);
    independent of batch size, good for small batches (detection, segmentation)."""
    c = image(shapes)[0]
    kw = {}
    if p["eps"] != 1e-5:
        kw["eps"] = p["eps"]
    if not p["affine"]:
        kw["affine"] = False
    return Ctor(nn.GroupNorm, (p["groups"], c), kw)


@block(
    id="switchable_norm",
    title="Switchable Norm",
    short_title="Switch. Norm",
    category=CAT,
    params=(EPS, MOMENTUM),
    summary=lambda p: "SN",
)
def switchable_norm(p, shapes):
    """Learns a softmax-weighted mix of batch, layer and instance statistics, so each layer picks
    the normalization that suits it (Switchable Normalization)."""
    c = image(shapes)[0]
    return Ctor(norm_modules.SwitchableNorm2d, (c,), {"eps": p["eps"], "momentum": p["momentum"]})


@block(
    id="local_response_norm",
    title="Local Response Norm",
    short_title="LRN",
    category=CAT,
    params=(
        int_param("size", 5, "Number of neighbouring channels n.", 1, 64),
        float_param("alpha", 1e-4, "Scale α.", 0.0),
        float_param("beta", 0.75, "Exponent β.", 0.0),
        float_param("k", 2.0, "Additive constant k.", 0.0),
    ),
    summary=lambda p: f"LRN n{p['size']}",
)
def local_response_norm(p, shapes):
    """Divides each activation by the activity of its n neighbouring channels (AlexNet: n=5, k=2,
    α=1e-4, β=0.75). Later work (VGG) found it adds little."""
    image(shapes)
    return Ctor(
        nn.LocalResponseNorm, (p["size"],), {"alpha": p["alpha"], "beta": p["beta"], "k": p["k"]}
    )


def _wn_check(p, shapes):
    return first_error(
        same_padding_check(p),
        spatial_check(shapes, effective_kernel(p["kernel_size"], 1), resolve_padding(p)),
    )


@block(
    id="weight_norm_conv",
    title="Weight-Normalized Conv",
    short_title="WN Conv",
    category=CAT,
    params=(out_channels(), kernel(), stride(), padding(), bias()),
    summary=lambda p: f"{p['out_channels']} @ {p['kernel_size']}×{p['kernel_size']} WN",
    check=_wn_check,
    receptive=lambda p: ((p["kernel_size"], p["stride"]),),
)
def weight_norm_conv(p, shapes):
    """A convolution whose weight is reparameterised as W = g·v/‖v‖: direction and length are
    learned separately, which speeds up optimisation without batch statistics (Weight
    Normalization)."""
    c = image(shapes)[0]
    return Ctor(
        conv_modules.WeightNormConv2d,
        (c, p["out_channels"]),
        {
            "kernel_size": p["kernel_size"],
            "stride": p["stride"],
            "padding": resolve_padding(p, d=1),
            "bias": p["bias"],
        },
    )


def _flat(shapes) -> str | None:
    if len(shapes[0]) != 1:
        from blocks.catalogue._common import fmt_shape

        return (
            f"gets a {fmt_shape(shapes[0])} feature map: add a Flatten "
            "(or global pooling) before it"
        )
    return None


@block(
    id="weight_norm_linear",
    title="Weight-Normalized Linear",
    short_title="WN Linear",
    category=CAT,
    params=(int_param("out_features", 128, "Number of outputs.", 1, 1 << 20), bias()),
    summary=lambda p: f"→ {p['out_features']} WN",
    check=lambda p, s: _flat(s),
    receptive=lambda p: ((-1, 1),),
)
def weight_norm_linear(p, shapes):
    """A fully connected layer with its weight reparameterised as W = g·v/‖v‖ (Weight
    Normalization)."""
    return Ctor(
        conv_modules.WeightNormLinear, (shapes[0][0], p["out_features"]), {"bias": p["bias"]}
    )


def _ibn_check(p, shapes):
    c = image(shapes)[0]
    half = int(c * p["ratio"])
    if half in (0, c):
        return (
            f"ratio {p['ratio']:g} of {c} channels leaves one part empty: choose a ratio between "
            f"{1 / c:.2g} and {1 - 1 / c:.2g}"
        )
    return None


@block(
    id="ibn",
    title="IBN (Instance-Batch Norm)",
    short_title="IBN Norm",
    category=CAT,
    params=(float_param("ratio", 0.5, "Share of channels normalized by InstanceNorm.", 0.0, 1.0),),
    summary=lambda p: f"IBN {p['ratio']:g}",
    check=lambda p, s: _ibn_check(p, s),
)
def ibn(p, shapes):
    """Half the channels instance-normalized (appearance invariance), the rest batch-normalized
    (keeps content discrimination) (IBN-Net)."""
    c = image(shapes)[0]
    return Ctor(norm_modules.IBN, (c,), {"ratio": p["ratio"]})
