"""Draw attribution maps over images, with a colour bar; and write them as PNG (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from runtime.insight.methods import TITLES
from runtime.insight.errors import MissingExtraError

if TYPE_CHECKING:
    from runtime.insight.attribution import AttributionMap

SEQUENTIAL = "inferno"
DIVERGING = "RdBu_r"


def colormap_name(amap: AttributionMap) -> str:
    """Diverging colours for signed maps (red adds, blue removes), sequential otherwise."""
    return DIVERGING if amap.signed else SEQUENTIAL


def lookup_table(name: str, size: int = 256) -> np.ndarray:
    """uint8 (size, 3) colours of a matplotlib colour map."""
    try:
        from matplotlib import colormaps
    except ImportError:
        raise MissingExtraError("matplotlib") from None
    return (colormaps[name](np.linspace(0, 1, size))[:, :3] * 255).astype(np.uint8)


def as_rgb(image: np.ndarray) -> np.ndarray:
    """uint8 (C, H, W) grey or colour → uint8 (H, W, 3)."""
    hwc = image.transpose(1, 2, 0)
    return np.repeat(hwc, 3, axis=2) if hwc.shape[2] == 1 else hwc[..., :3]


def overlay(image: np.ndarray, amap: AttributionMap, alpha: float = 0.55) -> np.ndarray:
    """uint8 (H, W, 3): the image in grey with the map's colours over it, opaque where the map is
    strong."""
    low, high = amap.limits
    t = np.clip((amap.values - low) / (high - low), 0, 1)
    colours = lookup_table(colormap_name(amap))[(t * 255).astype(np.int64)].astype(np.float32)
    strength = np.abs(amap.values) / (max(abs(low), abs(high)) or 1.0)
    a = (alpha * np.clip(strength * 1.5, 0, 1))[..., None]
    base = as_rgb(image).astype(np.float32).mean(axis=2, keepdims=True).repeat(3, axis=2)
    return (base * (1 - a) + colours * a).round().clip(0, 255).astype(np.uint8)


def save_explanation(
    path: str | Path, image: np.ndarray, amap: AttributionMap, caption: str
) -> Path:
    """Write input, map over input and a labelled colour bar as one PNG."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtraError("matplotlib") from None
    fig = Figure(figsize=(7.2, 3.6), dpi=120)
    left, right = fig.subplots(1, 2)
    left.imshow(as_rgb(image), interpolation="nearest")
    left.set_title("input (preprocessed)", fontsize=9)
    base = as_rgb(image).astype(np.float32).mean(axis=2)
    right.imshow(base, cmap="gray", interpolation="nearest")
    low, high = amap.limits
    shown = right.imshow(
        amap.values,
        cmap=colormap_name(amap),
        vmin=low,
        vmax=high,
        alpha=0.6,
        interpolation="bilinear",
    )
    where = f" at {amap.node}" if amap.node else ""
    right.set_title(f"{TITLES[amap.method]}{where}", fontsize=9)
    for axis in (left, right):
        axis.set_xticks([])
        axis.set_yticks([])
    bar = fig.colorbar(shown, ax=right, fraction=0.046, pad=0.04)
    bar.set_label(amap.unit, fontsize=8)
    fig.suptitle(caption, fontsize=9)
    path = Path(path)
    fig.savefig(path)
    return path
