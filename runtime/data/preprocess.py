"""Preprocessing of image files: the `preprocess` part of the data section, validated, with
defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

from runtime.data.errors import DataError

TRAIN_CROPS = ("auto", "random_resized", "center")
AUTO_RANDOM_CROP_SIDE = 96
"""With train_crop 'auto', inputs whose shorter side is at least this get random-resized crops;
smaller ones (digits, CIFAR-sized images) the centre crop, since a crop of a few per cent of so
few pixels leaves too little of the object to learn from."""
FAST_DECODE_SLACK = 1.5
"""With `fast_decode`, how much smaller per side than the input a reduced-scale crop may be."""


@dataclass(frozen=True)
class Preprocess:
    """How a decoded file becomes a network input.

    Validation images: resize the shorter side to `resize`, then crop the centre to the input size.
    Training images: the same with `train_crop='center'`, or a random-resized crop covering
    `scale_min`…1 of the area ('auto': random-resized for inputs of at least
    AUTO_RANDOM_CROP_SIDE pixels a side, else centre); then an optional flip, rotation (± degrees)
    and colour jitter."""

    resize: int = 0
    """Shorter side before the centre crop; 0: the input size ÷ 0.875 (256 for 224)."""
    train_crop: str = "auto"
    scale_min: float = 0.08
    flip: bool = True
    rotation: float = 0.0
    jitter: float = 0.0
    """Brightness, contrast and saturation each vary by up to ± this fraction."""
    normalise: bool = True
    """Standardise with the mean and std of a sample of the training split."""
    fast_decode: bool = False
    """Decode JPEGs at a reduced scale down to 1/FAST_DECODE_SLACK of the input size per side
    (then enlarged): less decoding work for slightly softer images."""

    def crop_for(self, input_hw: tuple[int, int]) -> str:
        """The training crop used for a network input of `input_hw`: 'random_resized' or
        'center' ('auto' resolved by the input's shorter side)."""
        if self.train_crop != "auto":
            return self.train_crop
        return "random_resized" if min(input_hw) >= AUTO_RANDOM_CROP_SIDE else "center"

    def shorter_side(self, input_hw: tuple[int, int]) -> int:
        """The shorter side validation images are resized to."""
        return self.resize or max(1, round(min(input_hw) / 0.875))

    def to_dict(self) -> dict[str, Any]:
        """The settings as a project `preprocess` sub-section."""
        return asdict(self)


def _number(raw: Mapping[str, Any], key: str, low: float, high: float, whole: bool = False) -> Any:
    """A bounded number from the sub-section (its default when absent)."""
    value = raw.get(key, getattr(Preprocess, key))
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and value == value
    if ok and whole:
        ok = value == int(value)
    if not ok or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise DataError(None, f"preprocess '{key}' must be {kind} {low:g}–{high:g}, got {value!r}")
    return int(value) if whole else float(value)


def parse_preprocess(raw: Any) -> Preprocess:
    """Validate the `preprocess` sub-section (missing keys take defaults)."""
    if raw is None:
        return Preprocess()
    if not isinstance(raw, Mapping):
        raise DataError(None, "data setting 'preprocess' must be an object")
    unknown = sorted(set(raw) - set(Preprocess.__dataclass_fields__))
    if unknown:
        raise DataError(
            None,
            f"preprocess '{unknown[0]}' is not a setting; known: "
            f"{', '.join(Preprocess.__dataclass_fields__)}",
        )
    crop = raw.get("train_crop", Preprocess.train_crop)
    if crop not in TRAIN_CROPS:
        raise DataError(
            None, f"preprocess 'train_crop' must be one of {', '.join(TRAIN_CROPS)}, got {crop!r}"
        )
    for key in ("flip", "normalise", "fast_decode"):
        if not isinstance(raw.get(key, True), bool):
            raise DataError(None, f"preprocess '{key}' must be true or false, got {raw[key]!r}")
    return Preprocess(
        _number(raw, "resize", 0, 8192, whole=True),
        crop,
        _number(raw, "scale_min", 0.01, 1.0),
        raw.get("flip", Preprocess.flip),
        _number(raw, "rotation", 0, 180),
        _number(raw, "jitter", 0, 1),
        raw.get("normalise", Preprocess.normalise),
        raw.get("fast_decode", Preprocess.fast_decode),
    )
