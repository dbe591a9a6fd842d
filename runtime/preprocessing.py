"""What a trained network expects of its pixels: input size, mean/std normalisation, class names."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.codegen.errors import ExportError

MAX_CLASSES = 100_000
MAX_CLASS_NAME = 1_000


@dataclass(frozen=True)
class Preprocessing:
    """Pixels are scaled to 0–1, then `(x - mean) / std` per channel; output i is `classes[i]`."""

    input_shape: tuple[int, int, int]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    classes: tuple[str, ...]

    @classmethod
    def of(
        cls,
        input_shape: Sequence[int],
        mean: Sequence[float],
        std: Sequence[float],
        classes: Sequence[str],
    ) -> Preprocessing:
        """Build from training statistics (arrays or tensors of per-channel values)."""
        flat = [float(v) for v in _flatten(mean)], [float(v) for v in _flatten(std)]
        return cls(
            tuple(int(v) for v in input_shape),
            tuple(flat[0]),
            tuple(flat[1]),
            tuple(str(c) for c in classes),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, stored in every checkpoint."""
        return {
            "input_shape": list(self.input_shape),
            "mean": list(self.mean),
            "std": list(self.std),
            "classes": list(self.classes),
        }

    @classmethod
    def from_dict(cls, raw: Any, where: str | Path | None = None) -> Preprocessing:
        """Read and check the stored form; ExportError naming `where` for anything malformed."""

        def bad(what: str) -> ExportError:
            return ExportError(f"'preprocessing' {what}", where)

        if not isinstance(raw, dict):
            raise bad("must be an object")
        shape = raw.get("input_shape")
        if (
            not isinstance(shape, list)
            or len(shape) != 3
            or not all(type(v) is int and 1 <= v <= 16384 for v in shape)
        ):
            raise bad("input_shape must be [channels, height, width] whole numbers 1–16384")
        stats = []
        for key in ("mean", "std"):
            values = raw.get(key)
            if (
                not isinstance(values, list)
                or len(values) != shape[0]
                or not all(type(v) in (int, float) and math.isfinite(v) for v in values)
            ):
                raise bad(f"{key} must be a list of {shape[0]} finite numbers, one per channel")
            stats.append(tuple(float(v) for v in values))
        if not all(v > 0 for v in stats[1]):
            raise bad("std must be positive")
        classes = raw.get("classes")
        if (
            not isinstance(classes, list)
            or not 2 <= len(classes) <= MAX_CLASSES
            or not all(isinstance(c, str) and len(c) <= MAX_CLASS_NAME for c in classes)
        ):
            raise bad(
                f"classes must be a list of 2–{MAX_CLASSES:,} names of at most "
                f"{MAX_CLASS_NAME} characters"
            )
        return cls((shape[0], shape[1], shape[2]), stats[0], stats[1], tuple(classes))


def _flatten(values: Any) -> list[Any]:
    """Per-channel values from a list, a NumPy array or a tensor of any shape (e.g. 1×C×1×1)."""
    if hasattr(values, "reshape"):
        values = values.reshape(-1).tolist()
    return list(values)


def measure_preprocessing(project: Any) -> Preprocessing:
    """Measure a project's normalisation from its data (for checkpoints that do not store it).

    The same data settings, split and statistics as training: the training split's channel stats.
    """
    from runtime.data import channel_stats, load_images, parse_data, split

    base = project.path.parent if project.path else None
    settings = parse_data(project.data, project.input_shape, base)
    images = load_images(settings, project.input_shape[0])
    train, _ = split(images, settings.validation, settings.split_seed)
    mean, std = channel_stats(train)
    return Preprocessing.of(project.input_shape, mean, std, images.classes)
