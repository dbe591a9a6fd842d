"""Regularization and shape blocks: dropout, flatten, fully connected, identity."""

from __future__ import annotations


from blocks.catalogue._common import bool_param, float_param, fmt_shape, image, int_param
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import GLOBAL_RF, Ctor

nn = lazy("torch.nn")

CAT = "Regularization & shape"
P = float_param("p", 0.5, "Probability of zeroing (training only).", 0.0, 1.0)


@block(id="dropout", title="Dropout", category=CAT, params=(P,), summary=lambda p: f"p={p['p']:g}")
def dropout(p, shapes):
    """Zeroes each activation with probability p during training (and rescales the rest); identity
    at evaluation. Fights co-adaptation in big fully connected layers (AlexNet: p = 0.5)."""
    return Ctor(nn.Dropout, (p["p"],))


@block(
    id="spatial_dropout",
    title="Spatial Dropout",
    short_title="Dropout2d",
    category=CAT,
    params=(P,),
    summary=lambda p: f"p={p['p']:g} 2d",
)
def spatial_dropout(p, shapes):
    """Drops whole channels instead of single pixels, since neighbouring pixels of a feature map are
    strongly correlated (Tompson et al. 2015)."""
    image(shapes)
    return Ctor(nn.Dropout2d, (p["p"],))


@block(
    id="flatten",
    title="Flatten",
    category=CAT,
    summary=lambda p: "flatten",
    receptive=lambda p: GLOBAL_RF,
)
def flatten(p, shapes):
    """Turns a C×H×W map into a vector of C·H·W features for fully connected layers."""
    return Ctor(nn.Flatten)


def _linear_check(p, shapes):
    if len(shapes[0]) != 1:
        return (
            f"gets a {fmt_shape(shapes[0])} feature map: add a Flatten "
            "(or global pooling) before it"
        )
    return None


@block(
    id="linear",
    title="Linear (Fully Connected)",
    short_title="Linear",
    category=CAT,
    params=(
        int_param("out_features", 128, "Number of outputs.", 1, 1 << 20),
        bool_param("bias", True, "Learnable bias per output."),
    ),
    summary=lambda p: f"→ {p['out_features']}",
    check=_linear_check,
    receptive=lambda p: GLOBAL_RF,
)
def linear(p, shapes):
    """Every output connected to every input: in·out parameters. Most of AlexNet's and VGG's
    parameters are in these layers."""
    kw = {} if p["bias"] else {"bias": False}
    return Ctor(nn.Linear, (shapes[0][0], p["out_features"]), kw)


@block(id="identity", title="Identity", category=CAT, summary=lambda p: "id")
def identity(p, shapes):
    """Passes its input through unchanged: a placeholder, or a way to bypass a layer in an
    ablation."""
    return Ctor(nn.Identity)
