"""Channel mean and std of a sample of the training split, cached; notes on how images are
adapted."""

from __future__ import annotations

import io
import random
from collections import Counter
from typing import Any

import numpy as np
from PIL import Image

from runtime.data.cache import cache_key, read_cached, write_cached
from runtime.data.decode import BadImage
from runtime.data.lazy import Reader
from runtime.data.transform import ImageTransform

SAMPLE = 200
"""Images drawn from the training split for the statistics."""


def sample_positions(n: int, count: int, seed: int = 0) -> list[int]:
    """Up to `count` distinct positions of n, seeded."""
    return sorted(random.Random(seed).sample(range(n), min(n, count)))


def channel_stats(
    reader: Reader, transform: ImageTransform, identity: Any, normalise: bool
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """(mean, std) in 0–1 of a sample of `reader` after `transform`, and what the sample showed
    (stored sizes and modes); cached under `identity` (the source's files and the preprocessing)."""
    key = cache_key(
        "stats", identity, transform.channels, transform.size, transform.preprocess.to_dict()
    )
    cached = read_cached("stats", key)
    if isinstance(cached, dict) and len(cached.get("mean", [])) == transform.channels:
        seen = cached["seen"]
    else:
        seen = _measure(reader, transform)
        write_cached("stats", key, {"mean": seen["mean"], "std": seen["std"], "seen": seen})
    if not normalise:
        return (
            np.zeros(transform.channels, np.float32),
            np.ones(transform.channels, np.float32),
            seen,
        )
    return (
        np.asarray(seen["mean"], np.float32),
        np.maximum(np.asarray(seen["std"], np.float32), 1e-3),
        seen,
    )


def _measure(reader: Reader, transform: ImageTransform) -> dict[str, Any]:
    """Decode the sample and sum its pixels."""
    total = np.zeros(transform.channels)
    squares = np.zeros(transform.channels)
    pixels, sizes, modes = 0, [], Counter()
    for i in sample_positions(len(reader), SAMPLE):
        source = reader.load(i)
        try:
            if isinstance(source, Image.Image):
                sizes.append(source.size)
                modes[source.mode] += 1
            else:
                with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as im:
                    sizes.append(im.size)
                    modes[im.mode] += 1
            x = transform(source, None, where=reader.describe(i)).astype(np.float64) / 255.0
        except (BadImage, OSError, ValueError, Image.DecompressionBombError):
            continue
        total += x.sum(axis=(1, 2))
        squares += (x * x).sum(axis=(1, 2))
        pixels += x.shape[1] * x.shape[2]
    if not pixels:
        mean, std = [0.5] * transform.channels, [0.25] * transform.channels
    else:
        m = total / pixels
        mean, std = m.tolist(), np.sqrt(np.maximum(squares / pixels - m * m, 0)).tolist()
    return {"mean": mean, "std": std, "sizes": sizes, "modes": dict(modes)}


def adaptation_notes(
    seen: dict[str, Any], channels: int, size: tuple[int, int], shorter: int
) -> list[str]:
    """Sentences that say how images are changed to fit the network (empty when nothing changes)."""
    notes = []
    h, w = size
    sizes = {tuple(s) for s in seen.get("sizes", [])}
    if sizes and sizes != {(w, h)}:
        notes.append(
            f"images are resized to {w}×{h} to match the network's input (shorter side to "
            f"{shorter}, then the centre; random-resized crops while training)"
        )
    modes = set(seen.get("modes", {}))
    if channels == 1 and modes - {"L", "1", "I", "I;16", "F"}:
        notes.append("the network expects 1 channel; images are converted to greyscale")
    if channels == 3 and modes & {"L", "1", "I", "I;16", "LA", "F"}:
        notes.append("the network expects 3 channels; greyscale images are repeated into RGB")
    if modes & {"RGBA", "LA", "PA"}:
        notes.append("transparent pixels are shown on white")
    return notes
