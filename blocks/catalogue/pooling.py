"""Pooling blocks: max, average, overlapping, global, adaptive and mixed pooling."""

from __future__ import annotations


from blocks.catalogue._common import bool_param, float_param, image, int_param, spatial_check
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import GLOBAL_RF, Ctor

nn = lazy("torch.nn")
pool_modules = lazy("blocks.modules.pool")

CAT = "Pooling"


def _pool_params(k: int, s: int):
    return (
        int_param("kernel_size", k, "Side of the pooling window.", 1, 63),
        int_param(
            "stride",
            s,
            "Step between windows; equal to the kernel for non-overlapping pooling.",
            1,
            63,
        ),
        int_param("padding", 0, "Padding on each side (at most half the kernel).", 0, 31),
        bool_param("ceil_mode", False, "Round the output size up instead of down."),
    )


def _pool_check(p, shapes):
    if p["padding"] * 2 > p["kernel_size"]:
        return (
            f"padding {p['padding']} is more than half the "
            f"{p['kernel_size']}×{p['kernel_size']} window"
        )
    return spatial_check(shapes, p["kernel_size"], p["padding"])


def _pool_kwargs(p) -> dict:
    kw = {"kernel_size": p["kernel_size"], "stride": p["stride"]}
    if p["padding"]:
        kw["padding"] = p["padding"]
    if p["ceil_mode"]:
        kw["ceil_mode"] = True
    return kw


def _pool_summary(name):
    return lambda p: f"{name} {p['kernel_size']}×{p['kernel_size']} /{p['stride']}"


def _pool_rf(p):
    return ((p["kernel_size"], p["stride"]),)


@block(
    id="max_pool",
    title="Max Pool",
    category=CAT,
    params=_pool_params(2, 2),
    summary=_pool_summary("max"),
    check=_pool_check,
    receptive=_pool_rf,
)
def max_pool(p, shapes):
    """Keeps the largest value of each window: downsampling with a little translation invariance.
    The gradient flows only to the arg-max of each window."""
    image(shapes)
    return Ctor(nn.MaxPool2d, (), _pool_kwargs(p))


@block(
    id="avg_pool",
    title="Average Pool",
    category=CAT,
    params=_pool_params(2, 2),
    summary=_pool_summary("avg"),
    check=_pool_check,
    receptive=_pool_rf,
)
def avg_pool(p, shapes):
    """Averages each window: smoother downsampling than max; the gradient is spread evenly over the
    window (LeNet's subsampling, DenseNet transitions)."""
    image(shapes)
    return Ctor(nn.AvgPool2d, (), _pool_kwargs(p))


@block(
    id="overlapping_pool",
    title="Overlapping Max Pool (3/2)",
    short_title="Overlap Pool",
    category=CAT,
    params=_pool_params(3, 2),
    summary=_pool_summary("max"),
    check=_pool_check,
    receptive=_pool_rf,
)
def overlapping_pool(p, shapes):
    """Max pooling whose windows overlap (AlexNet: 3×3 windows, stride 2), which the AlexNet paper
    found reduces overfitting slightly (−0.4% top-1 error)."""
    image(shapes)
    return Ctor(nn.MaxPool2d, (), _pool_kwargs(p))


@block(
    id="global_avg_pool",
    title="Global Average Pool",
    short_title="Global Avg Pool",
    category=CAT,
    summary=lambda p: "GAP",
    receptive=lambda p: GLOBAL_RF,
)
def global_avg_pool(p, shapes):
    """Averages each channel over the whole map to C×1×1: replaces the huge first fully connected
    layer with no parameters at all, and works at any input size (NIN, GoogLeNet, ResNet)."""
    image(shapes)
    return Ctor(nn.AdaptiveAvgPool2d, ((1, 1),))


def _adaptive_params():
    return (
        int_param("output_height", 7, "Rows of the output map.", 1, 4096),
        int_param("output_width", 7, "Columns of the output map.", 1, 4096),
    )


@block(
    id="adaptive_avg_pool",
    title="Adaptive Average Pool",
    short_title="Adapt. Avg Pool",
    category=CAT,
    params=_adaptive_params(),
    summary=lambda p: f"avg → {p['output_height']}×{p['output_width']}",
    receptive=lambda p: GLOBAL_RF,
)
def adaptive_avg_pool(p, shapes):
    """Average pooling that picks its own windows to give a fixed output size whatever the input
    size (torchvision's AlexNet and VGG use 6×6 and 7×7)."""
    image(shapes)
    return Ctor(nn.AdaptiveAvgPool2d, ((p["output_height"], p["output_width"]),))


@block(
    id="adaptive_max_pool",
    title="Adaptive Max Pool",
    short_title="Adapt. Max Pool",
    category=CAT,
    params=_adaptive_params(),
    summary=lambda p: f"max → {p['output_height']}×{p['output_width']}",
    receptive=lambda p: GLOBAL_RF,
)
def adaptive_max_pool(p, shapes):
    """Max pooling that picks its own windows to give a fixed output size whatever the input
    size."""
    image(shapes)
    return Ctor(nn.AdaptiveMaxPool2d, ((p["output_height"], p["output_width"]),))


@block(
    id="mixed_pool",
    title="Mixed Max-Average Pool",
    short_title="Max-Avg Pool",
    category=CAT,
    params=(
        int_param("kernel_size", 2, "Side of the pooling window.", 1, 63),
        int_param("stride", 2, "Step between windows.", 1, 63),
        int_param("padding", 0, "Padding on each side (at most half the kernel).", 0, 31),
        float_param(
            "alpha", 0.5, "Weight a of max pooling; 1 − a goes to average pooling.", 0.0, 1.0
        ),
        bool_param("learnable", False, "Learn a instead of fixing it."),
    ),
    summary=lambda p: f"mix {p['kernel_size']}×{p['kernel_size']} /{p['stride']}",
    check=lambda p, s: _pool_check({**p, "ceil_mode": False}, s),
    receptive=_pool_rf,
)
def mixed_pool(p, shapes):
    """a·max + (1−a)·average of each window, with a fixed or learned: a compromise between the
    sharpness of max pooling and the smoothness of averaging (mixed pooling)."""
    image(shapes)
    return Ctor(
        pool_modules.MixedPool2d,
        (),
        {
            "kernel_size": p["kernel_size"],
            "stride": p["stride"],
            "padding": p["padding"],
            "alpha": p["alpha"],
            "learnable": p["learnable"],
        },
    )
