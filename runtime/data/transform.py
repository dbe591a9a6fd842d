"""Per-image preprocessing in the loader processes: one crop box in the stored image, one resize."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from runtime.data.decode import open_image
from runtime.data.preprocess import Preprocess

Box = tuple[float, float, float, float]


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
        return self.train and (p.train_crop == "random_resized" or p.flip or p.rotation > 0)

    @property
    def mode(self) -> str:
        """Pillow mode the images are converted to."""
        return "L" if self.channels == 1 else "RGB"

    def box(self, w: int, h: int, rng: random.Random | None) -> Box:
        """The region of a w×h image that becomes the network input."""
        out_h, out_w = self.size
        if self.train and self.preprocess.train_crop == "random_resized" and rng is not None:
            found = _random_resized(w, h, self.preprocess.scale_min, out_w / out_h, rng)
            if found is not None:
                return found
        if not self.preprocess.resize and (w, h) == (out_w, out_h):
            return (0.0, 0.0, float(w), float(h))  # already the input size: taken as it is
        side = self.preprocess.shorter_side(self.size)
        factor = min(w, h) / side  # stored pixels per resized pixel
        bw, bh = min(w, out_w * factor), min(h, out_h * factor)
        return ((w - bw) / 2, (h - bh) / 2, (w + bw) / 2, (h + bh) / 2)

    def __call__(
        self,
        source: str | Path | bytes | Image.Image,
        rng: random.Random | None = None,
        where: object = None,
    ) -> np.ndarray:
        """(C, H, W) uint8 pixels of one file, bytes or an already decoded image."""
        chosen: dict[str, Box] = {}

        def draft_for(stored: tuple[int, int]) -> tuple[int, int] | None:
            box = chosen["box"] = self.box(*stored, rng)
            out_h, out_w = self.size
            bw, bh = box[2] - box[0], box[3] - box[1]
            if not self.draft or bw < 2 * out_w or bh < 2 * out_h:
                return None
            return (math.ceil(stored[0] * out_w / bw), math.ceil(stored[1] * out_h / bh))

        if isinstance(source, Image.Image):
            stored = source.size
            img = source if source.mode == self.mode else source.convert(self.mode)
            draft_for(stored)
        else:
            img, stored = open_image(source, self.mode, draft_for, self.fast, where)
        sx, sy = img.size[0] / stored[0], img.size[1] / stored[1]
        x0, y0, x1, y1 = chosen["box"]
        out_h, out_w = self.size
        whole = (x0, y0, x1, y1) == (0.0, 0.0, float(img.size[0]), float(img.size[1]))
        if not whole or img.size != (out_w, out_h):
            box = (x0 * sx, y0 * sy, x1 * sx, y1 * sy)
            img = img.resize((out_w, out_h), Image.Resampling.BILINEAR, box=box)
        if self.train and rng is not None:
            img = self._random_parts(img, rng)
        pixels = np.array(img, dtype=np.uint8)  # a writable copy
        return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)

    def _random_parts(self, img: Image.Image, rng: random.Random) -> Image.Image:
        """Flip and rotation (colour jitter is applied to whole batches on the training device)."""
        if self.preprocess.flip and rng.random() < 0.5:
            img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        if self.preprocess.rotation:
            angle = rng.uniform(-self.preprocess.rotation, self.preprocess.rotation)
            img = img.rotate(angle, Image.Resampling.BILINEAR)
        return img


def _random_resized(
    w: int, h: int, scale_min: float, ratio: float, rng: random.Random
) -> Box | None:
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
