"""GoogLeNet's Inception module: four parallel branches concatenated (expands into primitives)."""

from __future__ import annotations

from blocks.catalogue._common import image, int_param
from blocks.catalogue.blocks_subgraph import IN, SubGraphBuilder
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import Ctor, SubGraph

inception_modules = lazy("blocks.modules.inception")

CAT = "Blocks"
EPS = 0.001  # torchvision's BasicConv2d BatchNorm eps
_NAMES = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")


def _basic_conv(b: SubGraphBuilder, prefix: str, key: str, src: str, out: int, k: int) -> str:
    return b.conv_bn(prefix, src, out, (f"{key}.conv", f"{key}.bn"), k, eps=EPS)


def _inception_expand(p, shapes) -> SubGraph:
    b = SubGraphBuilder()
    x1 = _basic_conv(b, "branch1", "branch1", IN, p["ch1x1"], 1)
    x2 = _basic_conv(b, "branch2_0", "branch2.0", IN, p["ch3x3red"], 1)
    x2 = _basic_conv(b, "branch2_1", "branch2.1", x2, p["ch3x3"], 3)
    x3 = _basic_conv(b, "branch3_0", "branch3.0", IN, p["ch5x5red"], 1)
    x3 = _basic_conv(b, "branch3_1", "branch3.1", x3, p["ch5x5"], p["big_kernel"])
    pool = b.add(
        "branch4_pool", "max_pool", {"kernel_size": 3, "stride": 1, "padding": 1, "ceil_mode": True}
    )
    x4 = _basic_conv(b, "branch4_1", "branch4.1", pool, p["pool_proj"], 1)
    return b.build(b.add("cat", "concat", None, (x1, x2, x3, x4)))


def _inception_check(p, shapes) -> str | None:
    image(shapes)
    if p["big_kernel"] % 2 == 0:
        return (
            f"big_kernel {p['big_kernel']} must be odd (3 or 5) so that "
            "every branch keeps the input size"
        )
    return None


def _channels(text: str, help: str, default: int):
    return int_param(text, default, help, 1, 16384)


@block(
    id="inception",
    title="Inception Module",
    short_title="Inception",
    category=CAT,
    params=(
        _channels("ch1x1", "Filters of the 1×1 branch.", 64),
        _channels("ch3x3red", "1×1 reduction before the 3×3 conv.", 96),
        _channels("ch3x3", "Filters of the 3×3 branch.", 128),
        _channels("ch5x5red", "1×1 reduction before the big conv.", 16),
        _channels("ch5x5", "Filters of the big ('5×5') branch.", 32),
        _channels("pool_proj", "1×1 filters after the 3×3 max pool.", 32),
        int_param(
            "big_kernel",
            5,
            "Kernel of the '5×5' branch: 5 as in the paper, 3 as torchvision's "
            "GoogLeNet (a known quirk).",
            1,
            15,
        ),
    ),
    summary=lambda p: f"→{p['ch1x1'] + p['ch3x3'] + p['ch5x5'] + p['pool_proj']}",
    check=_inception_check,
    receptive=lambda p: ((max(3, p["big_kernel"]), 1),),
    composite=True,
    expand=_inception_expand,
)
def inception(p, shapes):
    """GoogLeNet's module: four parallel branches — 1×1; 1×1 then 3×3; 1×1 then 5×5; 3×3 max pool
    then 1×1 — concatenated along the channels, so one layer looks at several scales at once. The
    1×1 reductions keep the big convs cheap (Szegedy et al. 2014). Each conv is conv (no bias) + BN
    (eps 0.001) + ReLU as in torchvision; output channels ch1x1 + ch3x3 + ch5x5 + pool_proj."""
    c = image(shapes)[0]
    args = (c,) + tuple(p[n] for n in _NAMES)
    return Ctor(inception_modules.Inception, args, {"big_kernel": p["big_kernel"]})
