"""Per-image preprocessing in the loader processes: one crop box in the stored image, one resize."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from runtime.data.decode import decode_pixels
from runtime.data.preprocess import FAST_DECODE_SLACK, Preprocess

Box = tuple[int, int, int, int]
"""(x0, y0, x1, y1) in whole stored pixels, x1 and y1 excluded."""


@dataclass(frozen=True)
class ImageTransform:
    """Decode and shape one image to the network's (C, H, W) as uint8; `train` adds the random
    parts."""

    channels: int
    size: tuple[int, int]
    """(H, W) of the network input."""
    preprocess: Preprocess
    train: bool
    draft: bool = True
    fast: bool = True

    @property
    def random(self) -> bool:
        """Whether this transform draws random numbers (crops, flips, rotations)."""
        p = self.preprocess
        random_crop = p.crop_for(self.size) == "random_resized"
        return self.train and (random_crop or p.flip or p.rotation > 0)

    @property
    def mode(self) -> str:
        """Pillow mode the images are converted to."""
        return "L" if self.channels == 1 else "RGB"

    def box(self, w: int, h: int, rng: random.Random | None) -> Box:
        """The region of a w×h image that becomes the network input, in whole stored pixels."""
        out_h, out_w = self.size
        random_crop = self.preprocess.crop_for(self.size) == "random_resized"
        if self.train and random_crop and rng is not None:
            found = _random_resized(w, h, self.preprocess.scale_min, out_w / out_h, rng)
            if found is not None:
                return _whole_pixels(found, w, h)
        if not self.preprocess.resize and (w, h) == (out_w, out_h):
            return (0, 0, w, h)  # already the input size: taken as it is
        side = self.preprocess.shorter_side(self.size)
        factor = min(w, h) / side  # stored pixels per resized pixel
        bw, bh = min(w, out_w * factor), min(h, out_h * factor)
        return _whole_pixels(((w - bw) / 2, (h - bh) / 2, (w + bw) / 2, (h + bh) / 2), w, h)

    def draft_size(self, stored: tuple[int, int], box: Box) -> tuple[int, int] | None:
        """The smallest (w, h) the whole image may be decoded at (None: full size). JPEGs shrink
        by 2, 4 or 8 only, and only while `box` still covers the input size, or 1/1.5 of it per
        side with preprocess.fast_decode (the crop is then enlarged)."""
        if not self.draft:
            return None
        out_h, out_w = self.size
        slack = FAST_DECODE_SLACK if self.preprocess.fast_decode else 1.0
        bw, bh = (box[2] - box[0]) * slack, (box[3] - box[1]) * slack
        if bw < 2 * out_w or bh < 2 * out_h:
            return None
        return (math.ceil(stored[0] * out_w / bw), math.ceil(stored[1] * out_h / bh))

    def __call__(
        self,
        source: str | Path | bytes | Image.Image,
        rng: random.Random | None = None,
        where: object = None,
    ) -> np.ndarray:
        """(C, H, W) uint8 pixels of one file, bytes or an already decoded image.

        The crop box is chosen from the stored size before decoding, so that a JPEG can be
        decoded at a reduced scale that still covers it."""
        chosen: dict[str, Box] = {}

        def draft_for(stored: tuple[int, int]) -> tuple[int, int] | None:
            chosen["box"] = self.box(*stored, rng)
            return self.draft_size(stored, chosen["box"])

        if isinstance(source, Image.Image):
            stored = source.size
            pixels = np.array(source if source.mode == self.mode else source.convert(self.mode))
            draft_for(stored)
        else:
            pixels, stored = decode_pixels(source, self.mode, draft_for, self.fast, where)
        x = _crop_resized(pixels, stored, chosen["box"], self.size)
        if self.train and rng is not None:
            x = self._random_parts(x, rng)
        return x.contiguous().numpy()

    def _random_parts(self, x: torch.Tensor, rng: random.Random) -> torch.Tensor:
        """Flip and rotation of (C, H, W) pixels (colour jitter is applied to whole batches on the
        training device)."""
        if self.preprocess.flip and rng.random() < 0.5:
            x = x.flip(-1)
        if self.preprocess.rotation:
            angle = rng.uniform(-self.preprocess.rotation, self.preprocess.rotation)
            img = Image.fromarray(x[0].numpy() if x.shape[0] == 1 else x.permute(1, 2, 0).numpy())
            rotated = np.array(img.rotate(angle, Image.Resampling.BILINEAR))
            x = torch.from_numpy(rotated[None] if rotated.ndim == 2 else rotated.transpose(2, 0, 1))
        return x


def _whole_pixels(box: tuple[float, float, float, float], w: int, h: int) -> Box:
    """`box` rounded to whole pixels inside the w×h image, at least one pixel wide and high."""
    x0, y0 = min(max(0, round(box[0])), w - 1), min(max(0, round(box[1])), h - 1)
    x1, y1 = max(x0 + 1, min(w, round(box[2]))), max(y0 + 1, min(h, round(box[3])))
    return (x0, y0, x1, y1)


def _crop_resized(
    pixels: np.ndarray, stored: tuple[int, int], box: Box, size: tuple[int, int]
) -> torch.Tensor:
    """The stored-size `box` of decoded (H, W[, C]) pixels (perhaps decoded at a reduced scale)
    resized to `size` (H, W): (C, H, W) uint8.

    torch's uint8 antialiased bilinear resize matches Pillow's BILINEAR resize within a level or
    two and takes a third of its time (it reads the HWC array in place, with no copy into a PIL
    image)."""
    h, w = pixels.shape[:2]
    if (w, h) != stored:  # decoded at a reduced scale: the box in decoded pixels
        sx, sy = w / stored[0], h / stored[1]
        box = _whole_pixels((box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy), w, h)
    x0, y0, x1, y1 = box
    region = torch.from_numpy(pixels[y0:y1, x0:x1])
    x = region[None] if region.ndim == 2 else region.permute(2, 0, 1)
    if tuple(x.shape[1:]) == tuple(size):
        return x
    return F.interpolate(x[None], size=size, mode="bilinear", antialias=True, align_corners=False)[
        0
    ]


def _random_resized(
    w: int, h: int, scale_min: float, ratio: float, rng: random.Random
) -> tuple[float, float, float, float] | None:
    """A random box of scale_min…1 of the area, aspect ratio 3/4…4/3 of the output's (None: give
    up)."""
    area = w * h
    log_low, log_high = math.log(ratio * 3 / 4), math.log(ratio * 4 / 3)
    for _ in range(10):
        target = area * rng.uniform(scale_min, 1.0)
        aspect = math.exp(rng.uniform(log_low, log_high))
        bw, bh = math.sqrt(target * aspect), math.sqrt(target / aspect)
        if 1 <= bw <= w and 1 <= bh <= h:
            x0, y0 = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
            return (x0, y0, x0 + bw, y0 + bh)
    return None
