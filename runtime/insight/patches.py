"""What a channel looks for (ZFNet, Fig. 2): the validation patches that excite it most, each
cropped
to the receptive field of the winning position; and the receptive field of any output position."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from runtime.insight.errors import InsightNodeError
from runtime.insight.session import Session

Box = tuple[int, int, int, int]
"""(top, left, bottom, right), bottom/right exclusive, inside the image."""


@dataclass(frozen=True)
class ReceptiveField:
    """Where output position (row, col) of a layer looks: the box of input pixels that reach it, and
    how strongly each reaches it (mean |gradient|, the effective receptive field)."""

    layer: str
    row: int
    col: int
    box: Box
    strength: np.ndarray


@dataclass(frozen=True)
class Patch:
    """One validation image's crop around a channel's strongest response."""

    index: int
    label: int
    activation: float
    row: int
    col: int
    box: Box
    pixels: np.ndarray


def spatial_shape(session: Session, layer: str) -> tuple[int, int, int]:
    """(C, H, W) of `layer`'s output; InsightNodeError when it has no spatial output."""
    if layer not in session.layer_names:
        raise InsightNodeError(f"no layer called '{layer}' in the network")
    shape = session.shapes.get(layer, ())
    if len(shape) != 3:
        raise InsightNodeError(
            f"'{layer}' has no spatial (C×H×W) output; choose a convolutional node"
        )
    return shape  # type: ignore[return-value]


def _layer_output(session: Session, x: torch.Tensor, layer: str) -> torch.Tensor:
    model = session.model
    return model.net.layer_outputs((x - model.mean) / model.std, {layer})[layer]


def receptive_field(
    session: Session, layer: str, row: int, col: int, sample: torch.Tensor | None = None
) -> ReceptiveField:
    """The input box that reaches (row, col) of `layer`, found from gradients over a few images."""
    _, h, w = spatial_shape(session, layer)
    if not (0 <= row < h and 0 <= col < w):
        raise InsightNodeError(f"'{layer}' has {h}×{w} positions; ({row}, {col}) lies outside")
    x = sample if sample is not None else session.val_pixels(16)[0]
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        out = _layer_output(session, x, layer)
        out[:, :, row, col].abs().sum().backward()
    strength = x.grad.abs().sum(dim=(0, 1)).numpy()
    rows, cols = np.nonzero(strength)
    if rows.size:
        box = (int(rows.min()), int(cols.min()), int(rows.max()) + 1, int(cols.max()) + 1)
    else:  # nothing reached it on these images (dead unit): fall back to the position scaled up
        box = _scaled_box(session, layer, row, col)
    peak = float(strength.max()) or 1.0
    return ReceptiveField(layer, row, col, box, strength / peak)


def _scaled_box(session: Session, layer: str, row: int, col: int) -> Box:
    """The input pixels that map onto output position (row, col) by plain scaling."""
    _, h, w = spatial_shape(session, layer)
    _, ih, iw = session.project.input_shape
    return (
        row * ih // h,
        col * iw // w,
        max(row * ih // h + 1, (row + 1) * ih // h),
        max(col * iw // w + 1, (col + 1) * iw // w),
    )


@torch.no_grad()
def top_patches(
    session: Session,
    layer: str,
    channel: int,
    count: int = 9,
    limit: int | None = 2000,
    batch: int = 256,
) -> list[Patch]:
    """The `count` validation images whose strongest response in `channel` of `layer` is largest
    (one patch
    per image), each cropped to the receptive field of that position."""
    channels, h, w = spatial_shape(session, layer)
    if not 0 <= channel < channels:
        raise InsightNodeError(
            f"'{layer}' has channels 0…{channels - 1}; there is no channel {channel}"
        )
    x, _ = session.val_pixels(limit)
    best, where = [], []
    for i in range(0, len(x), batch):
        maps = _layer_output(session, x[i : i + batch], layer)[:, channel].reshape(
            len(x[i : i + batch]), -1
        )
        value, pos = maps.max(1)
        best.append(value)
        where.append(pos)
    values, positions = torch.cat(best), torch.cat(where)
    chosen = values.topk(min(count, len(values))).indices.tolist()
    patches = []
    for index in chosen:
        row, col = divmod(int(positions[index]), w)
        rf = receptive_field(session, layer, row, col, torch.cat([x[index : index + 1], x[:7]]))
        top, left, bottom, right = rf.box
        pixels = session.val.images[index][:, top:bottom, left:right]
        patches.append(
            Patch(
                index,
                int(session.val.labels[index]),
                float(values[index]),
                row,
                col,
                rf.box,
                np.ascontiguousarray(pixels),
            )
        )
    return patches
