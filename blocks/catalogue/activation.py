"""Activation blocks: element-wise non-linearities (ReLU family, sigmoid, tanh, GELU, SiLU,
hard-swish)."""

from __future__ import annotations


from blocks.catalogue._common import bool_param, choice_param, float_param
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import Ctor

nn = lazy("torch.nn")

CAT = "Activation"


@block(id="relu", title="ReLU", category=CAT, summary=lambda p: "ReLU")
def relu(p, shapes):
    """max(0, x): cheap and non-saturating, so deep networks train fast (AlexNet: 6× faster than
    tanh). A unit whose input stays negative gets no gradient and can 'die'."""
    return Ctor(nn.ReLU)


@block(
    id="leaky_relu",
    title="Leaky ReLU",
    category=CAT,
    params=(float_param("negative_slope", 0.01, "Slope for negative inputs.", 0.0, 1.0),),
    summary=lambda p: f"LReLU {p['negative_slope']:g}",
)
def leaky_relu(p, shapes):
    """Like ReLU but with a small slope for negative inputs, so no unit dies."""
    return Ctor(nn.LeakyReLU, (p["negative_slope"],))


@block(
    id="prelu",
    title="PReLU",
    category=CAT,
    params=(
        bool_param("per_channel", True, "One learned slope per channel instead of one in all."),
    ),
    summary=lambda p: "PReLU",
)
def prelu(p, shapes):
    """Leaky ReLU whose negative slope is learned, per channel or shared (He et al. 2015)."""
    return Ctor(nn.PReLU, (shapes[0][0] if p["per_channel"] else 1,))


@block(
    id="elu",
    title="ELU",
    category=CAT,
    params=(float_param("alpha", 1.0, "Saturation value for x → −∞.", 0.0),),
    summary=lambda p: "ELU",
)
def elu(p, shapes):
    """x for x > 0, α(eˣ − 1) below: smooth, with mean activations closer to zero than ReLU."""
    return Ctor(nn.ELU, (p["alpha"],) if p["alpha"] != 1.0 else ())


@block(id="sigmoid", title="Sigmoid", category=CAT, summary=lambda p: "σ")
def sigmoid(p, shapes):
    """1/(1 + e⁻ˣ): squashes to (0, 1). Saturates, so it slows deep training; used for gates (SE,
    highway)."""
    return Ctor(nn.Sigmoid)


@block(id="tanh", title="Tanh", category=CAT, summary=lambda p: "tanh")
def tanh(p, shapes):
    """Squashes to (−1, 1), zero-centred; saturates like the sigmoid (LeNet-era networks)."""
    return Ctor(nn.Tanh)


@block(
    id="gelu",
    title="GELU",
    category=CAT,
    params=(
        choice_param(
            "approximate", "none", ("none", "tanh"), "Exact form or the tanh approximation."
        ),
    ),
    summary=lambda p: "GELU",
)
def gelu(p, shapes):
    """x·Φ(x): a smooth ReLU weighted by the Gaussian CDF; the default of transformers and
    ConvNeXt."""
    return Ctor(nn.GELU, (), {"approximate": "tanh"} if p["approximate"] == "tanh" else {})


@block(id="silu", title="SiLU / Swish", category=CAT, summary=lambda p: "SiLU")
def silu(p, shapes):
    """x·σ(x): smooth and non-monotonic; found by search and used in EfficientNet."""
    return Ctor(nn.SiLU)


@block(id="hardswish", title="Hardswish", category=CAT, summary=lambda p: "hswish")
def hardswish(p, shapes):
    """A piecewise-linear Swish, x·ReLU6(x+3)/6: cheap on mobile hardware (MobileNetV3)."""
    return Ctor(nn.Hardswish)
