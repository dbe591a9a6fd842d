"""Small primitive blocks that composite blocks expand into: ReLU6, channel shuffle and split,
stochastic depth (drop path) and the gate complement 1 − x."""

from __future__ import annotations


from blocks.catalogue._common import float_param, image, int_param
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import Ctor

nn = lazy("torch.nn")
conv_modules = lazy("blocks.modules.conv")
misc_blocks_modules = lazy("blocks.modules.misc_blocks")
shape_ops_modules = lazy("blocks.modules.shape_ops")

CAT = "Regularization & shape"


@block(id="relu6", title="ReLU6", category="Activation", summary=lambda p: "ReLU6")
def relu6(p, shapes):
    """min(max(0, x), 6): a ReLU capped at 6, which keeps activations in a range that low-precision
    mobile arithmetic represents well (MobileNet v1/v2)."""
    return Ctor(nn.ReLU6)


def _shuffle_check(p, shapes) -> str | None:
    c = image(shapes)[0]
    if c % p["groups"]:
        return (
            f"has {c} channels, not divisible by groups={p['groups']}: choose groups dividing {c}"
        )
    return None


@block(
    id="channel_shuffle",
    title="Channel Shuffle",
    short_title="Ch. Shuffle",
    category=CAT,
    params=(int_param("groups", 2, "Number of groups whose channels are interleaved.", 1, 4096),),
    summary=lambda p: f"shuffle g{p['groups']}",
    check=_shuffle_check,
)
def channel_shuffle(p, shapes):
    """Interleaves the channels of g groups (reshape to g × C/g, transpose, flatten), so that the
    next grouped or split layer mixes information from every group. No parameters, no multiply-adds
    (ShuffleNet v1 and v2)."""
    image(shapes)
    return Ctor(conv_modules.ChannelShuffle, (p["groups"],))


def _split_check(p, shapes) -> str | None:
    c = shapes[0][0]
    if c % p["parts"]:
        return (
            f"has {c} channels, not divisible into {p['parts']} equal "
            f"parts: choose parts dividing {c}"
        )
    if p["index"] >= p["parts"]:
        return (
            f"index {p['index']} does not exist among {p['parts']} parts: "
            f"choose 0 to {p['parts'] - 1}"
        )
    return None


@block(
    id="channel_split",
    title="Channel Split",
    category=CAT,
    params=(
        int_param("parts", 2, "Number of equal slices the channels are cut into.", 1, 4096),
        int_param("index", 0, "Which slice to keep (0 is the first).", 0, 4095),
    ),
    summary=lambda p: f"part {p['index'] + 1}/{p['parts']}",
    check=_split_check,
)
def channel_split(p, shapes):
    """Keeps one of several equal slices of the channels (x.chunk(parts, dim=1)[index]). Use one per
    slice to send each part down its own branch, as ShuffleNetV2 does with the two halves of its
    input."""
    return Ctor(shape_ops_modules.ChannelSplit, (), {"parts": p["parts"], "index": p["index"]})


@block(
    id="drop_path",
    title="Stochastic Depth (Drop Path)",
    short_title="Drop Path",
    category=CAT,
    params=(
        float_param(
            "p", 0.1, "Probability of dropping a sample's whole branch (training only).", 0.0, 1.0
        ),
    ),
    summary=lambda p: f"drop path {p['p']:g}",
)
def drop_path(p, shapes):
    """At train time zeroes the whole tensor of each sample with probability p and rescales the
    others by 1/(1−p); identity at evaluation. Put on a residual branch just before the Add, it
    randomly shortens the network during training (Stochastic Depth, Huang et al. 2016;
    EfficientNet)."""
    return Ctor(misc_blocks_modules.StochasticDepth, (p["p"], "row"))


@block(
    id="one_minus",
    title="Complement (1 − x)",
    short_title="1 − x",
    category=CAT,
    summary=lambda p: "1 − x",
)
def one_minus(p, shapes):
    """Computes 1 − x. Turns a sigmoid gate T into its complement 1 − T, the 'carry' gate of a
    highway layer y = T·H(x) + (1 − T)·x."""
    return Ctor(shape_ops_modules.OneMinus)
