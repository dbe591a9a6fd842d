"""The project's `data` section: which data set, how it is split and augmented; defaults and checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from runtime.data.errors import DataError

SOURCES = ("mnist", "digits", "shapes", "folder", "idx", "cifar10")


@dataclass(frozen=True)
class Augment:
    """Batched augmentation: random crop after zero padding, horizontal flip, PCA colour jitter σ."""

    crop_padding: int = 0
    flip: bool = False
    pca_jitter: float = 0.0


@dataclass(frozen=True)
class DataSettings:
    """A validated data section; paths are absolute."""

    source: str
    path: Path | None = None
    labels: Path | None = None
    validation: float = 0.2
    split_seed: int = 0
    shapes_count: int = 3000
    augment: Augment = field(default_factory=Augment)


def default_data(input_shape: tuple[int, int, int]) -> dict[str, Any]:
    """What a project without a data section trains on: MNIST for 1×28×28, 8×8 digits for 1×8×8, shapes for RGB."""
    c, h, w = input_shape
    if c == 3:
        return {"source": "shapes", "validation": 0.2, "augment": {"crop_padding": 2, "flip": True,
                                                                   "pca_jitter": 0.1}}
    if (h, w) == (8, 8):
        return {"source": "digits", "validation": 0.2}
    return {"source": "mnist", "validation": 1000, "augment": {"crop_padding": 2}}


def _path(value: Any, key: str, base: Path | None) -> Path:
    """A path setting, resolved against the project's folder."""
    if not isinstance(value, str) or not value:
        raise DataError(None, f"data setting '{key}' must name a file or folder")
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else base / path


def _augment(raw: Any) -> Augment:
    """Parse the augment sub-section."""
    if raw is None:
        return Augment()
    if not isinstance(raw, Mapping):
        raise DataError(None, "data setting 'augment' must be an object")
    pad, flip, jitter = raw.get("crop_padding", 0), raw.get("flip", False), raw.get("pca_jitter", 0.0)
    if isinstance(pad, bool) or not isinstance(pad, int) or not 0 <= pad <= 64:
        raise DataError(None, f"augment 'crop_padding' must be a whole number 0–64, got {pad!r}")
    if not isinstance(flip, bool):
        raise DataError(None, f"augment 'flip' must be true or false, got {flip!r}")
    if isinstance(jitter, bool) or not isinstance(jitter, (int, float)) or not 0 <= jitter <= 1:
        raise DataError(None, f"augment 'pca_jitter' must be a number 0–1, got {jitter!r}")
    return Augment(pad, flip, float(jitter))


def _validation(value: Any) -> float:
    """A held-out fraction (0 < f < 1) or a count (whole number ≥ 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise DataError(None, f"data setting 'validation' must be a fraction (0–1) or a count, got {value!r}")
    if isinstance(value, float) and value >= 1 and value != int(value):
        raise DataError(None, f"data setting 'validation' {value!r} is neither a fraction below 1 nor a count")
    return float(value)


def parse_data(raw: Mapping[str, Any] | None, input_shape: tuple[int, int, int],
               base: Path | None = None) -> DataSettings:
    """Validate a data section (missing keys take defaults for the project's input size)."""
    merged = {**default_data(input_shape), **(raw or {})}
    source = merged["source"]
    if source not in SOURCES:
        raise DataError(None, f"data source {source!r} is unknown; choose one of {', '.join(SOURCES)}")
    path = labels = None
    if source in ("folder", "cifar10"):
        path = _path(merged.get("path"), "path", base)
    if source == "idx":
        path = _path(merged.get("images"), "images", base)
        labels = _path(merged.get("labels"), "labels", base)
    seed, count = merged.get("split_seed", 0), merged.get("shapes_count", 3000)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise DataError(None, f"data setting 'split_seed' must be a whole number, got {seed!r}")
    if isinstance(count, bool) or not isinstance(count, int) or not 20 <= count <= 200_000:
        raise DataError(None, f"data setting 'shapes_count' must be a whole number 20–200000, got {count!r}")
    return DataSettings(source, path, labels, _validation(merged.get("validation", 0.2)), seed, count,
                        _augment(merged.get("augment")))
