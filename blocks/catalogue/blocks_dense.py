"""DenseNet's composite blocks: the dense block and the transition layer (each expands into
primitives)."""

from __future__ import annotations

from blocks.catalogue._common import float_param, image, int_param, out_channels, spatial_check
from blocks.catalogue.blocks_subgraph import IN, SubGraphBuilder, needs_image
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import Ctor, SubGraph

dense_modules = lazy("blocks.modules.dense")

CAT = "Blocks"


def _dense_expand(p, shapes) -> SubGraph:
    k, width = p["growth_rate"], p["bn_size"] * p["growth_rate"]
    b = SubGraphBuilder()
    features = [IN]
    for i in range(1, p["num_layers"] + 1):
        layer = f"denselayer{i}"
        x = IN if i == 1 else b.add(f"{layer}_cat", "concat", None, tuple(features))
        x = b.act(f"{layer}_relu1", b.bn(f"{layer}_norm1", x, weights=f"{layer}.norm1"))
        x = b.conv(f"{layer}_conv1", x, width, 1, weights=f"{layer}.conv1")
        x = b.act(f"{layer}_relu2", b.bn(f"{layer}_norm2", x, weights=f"{layer}.norm2"))
        x = b.conv(f"{layer}_conv2", x, k, 3, weights=f"{layer}.conv2")
        if p["drop_rate"] > 0:
            x = b.add(f"{layer}_dropout", "dropout", {"p": p["drop_rate"]}, (x,))
        features.append(x)
    return b.build(b.add("cat", "concat", None, tuple(features)))


@block(
    id="dense_block",
    title="Dense Block",
    category=CAT,
    params=(
        int_param("num_layers", 6, "Number of dense layers (DenseNet-121: 6, 12, 24, 16).", 1, 256),
        int_param("growth_rate", 32, "k: feature maps each layer adds.", 1, 4096),
        int_param(
            "bn_size", 4, "Bottleneck width of each layer's 1×1 conv, in multiples of k.", 1, 64
        ),
        float_param("drop_rate", 0.0, "Dropout after each layer (training only).", 0.0, 1.0),
    ),
    summary=lambda p: f"k={p['growth_rate']} ×{p['num_layers']}",
    check=needs_image,
    receptive=lambda p: ((3, 1),) * p["num_layers"],
    composite=True,
    expand=_dense_expand,
)
def dense_block(p, shapes):
    """Each layer (BN-ReLU-1×1 conv to bn_size·k, BN-ReLU-3×3 conv to k) receives the concatenation
    of the block's input and every earlier layer's output, and adds k new maps: the output has
    C_in + L·k channels. Features are reused instead of relearned, so DenseNet-121 reaches ResNet-50
    accuracy with under a third of the parameters (Huang et al. 2017); the price is memory for the
    growing concatenations."""
    c = image(shapes)[0]
    kw = {"drop_rate": p["drop_rate"]} if p["drop_rate"] else {}
    return Ctor(dense_modules.DenseBlock, (p["num_layers"], c, p["bn_size"], p["growth_rate"]), kw)


def _transition_expand(p, shapes) -> SubGraph:
    b = SubGraphBuilder()
    x = b.act("relu", b.bn("norm", IN, weights="norm"))
    x = b.conv("conv", x, p["out_channels"], 1, weights="conv")
    return b.build(b.add("pool", "avg_pool", {"kernel_size": 2, "stride": 2}, (x,)))


@block(
    id="transition",
    title="Transition Layer",
    short_title="Transition",
    category=CAT,
    params=(out_channels(128),),
    summary=lambda p: f"→{p['out_channels']} /2",
    check=lambda p, s: spatial_check(s, 2, 0),
    receptive=lambda p: ((1, 1), (2, 2)),
    composite=True,
    expand=_transition_expand,
)
def transition(p, shapes):
    """Between dense blocks: BN-ReLU, a 1×1 conv that shrinks the channels (DenseNet-121 halves
    them, 'compression' 0.5), and a 2×2 average pool that halves the resolution (Huang et al.
    2017)."""
    c = image(shapes)[0]
    return Ctor(dense_modules.Transition, (c, p["out_channels"]))
