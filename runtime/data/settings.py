"""The project's `data` section: which data set, how it is split, preprocessed and loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from blocks.params import ParamSpec
from runtime.data.errors import DataError
from runtime.data.preprocess import TRAIN_CROPS, Preprocess, parse_preprocess
from runtime.data.shard_location import url_scheme
from runtime.shown import shown

IN_MEMORY = ("mnist", "digits", "shapes", "idx", "cifar10")
"""Sources held whole in memory and served as batched tensors."""
LAZY = ("folder", "csv", "hf", "webdataset")
"""Sources read file by file when a batch needs them, in worker processes."""
SOURCES = IN_MEMORY[:3] + ("folder", "csv", "hf", "webdataset", "idx", "cifar10")
MAX_WORKERS = 8


BY_INPUT_SIZE = "by input size"
"""The documented default of `source`: the data set follows the input shape (see default_data)."""


def Key(  # noqa: N802 - reads as a table row, like runtime.training.settings.Field
    name: str,
    kind: str,
    default: Any,
    help: str,
    choices: tuple[str, ...] = (),
    minimum: float | None = None,
    maximum: float | None = None,
) -> ParamSpec:
    """One key of the `data` section (dotted for a sub-section: 'preprocess.rotation') as a
    ParamSpec, in the argument order of the table below."""
    return ParamSpec(name, kind, default, help, minimum, maximum, tuple(choices))


DATA_KEYS: tuple[ParamSpec, ...] = (
    Key(
        "source",
        "choice",
        BY_INPUT_SIZE,
        "Which data set: bundled MNIST (5,000 digits), "
        "8×8 digits, generated RGB shapes, an image folder, a CSV/TSV label file, Hugging Face, "
        "WebDataset shards, IDX files or CIFAR-10 binary batches.",
        SOURCES,
    ),
    Key(
        "path",
        "path",
        None,
        "`folder`: one sub-folder per class (or train/ and val/); `csv`: the "
        "label file; `cifar10`: a .bin batch or its folder; `hf`: local files when no `dataset`.",
    ),
    Key("images", "path", None, "`idx`: the images file (plain or .gz)."),
    Key("labels", "path", None, "`idx`: the labels file (plain or .gz)."),
    Key("dataset", "text", "", "`hf`: a Hugging Face dataset name.", (), None, 512),
    Key("shards", "path", None, "`webdataset`: the training shards (a pattern or URL)."),
    Key("val_shards", "path", None, "`webdataset`: validation shards (else a share of `shards`)."),
    Key(
        "image_column", "text", "", "`csv`, `hf`: the image column (empty: guessed).", (), None, 256
    ),
    Key(
        "label_column", "text", "", "`csv`, `hf`: the label column (empty: guessed).", (), None, 256
    ),
    Key(
        "samples",
        "int",
        0,
        "`webdataset`: samples in the training shards (0: counted).",
        (),
        0,
        2**40,
    ),
    Key(
        "validation",
        "share",
        0.2,
        "Held out for validation: a fraction below 1, or a whole number of samples.",
        (),
        0.0,
        2**31 - 1,
    ),
    Key(
        "split_seed",
        "int",
        0,
        "Seed of the train/validation split (and of generated shapes).",
        (),
        0,
        2**31 - 1,
    ),
    Key("shapes_count", "int", 3000, "`shapes`: how many images to generate.", (), 20, 200_000),
    Key(
        "workers",
        "int",
        -1,
        "Loader processes for lazy sources (-1: one per core, at most 8).",
        (),
        -1,
        64,
    ),
    Key(
        "cache",
        "bool",
        False,
        "Lazy sources: keep decoded images in memory (inputs up to 64×64 with a centre training "
        "crop, no rotation and no jitter are kept there anyway when they fit in 256 MB).",
    ),
    Key(
        "augment.crop_padding",
        "int",
        0,
        "Random crop after padding by this many pixels.",
        (),
        0,
        64,
    ),
    Key("augment.flip", "bool", False, "Random horizontal flips (in-memory sources)."),
    Key("augment.pca_jitter", "float", 0.0, "AlexNet's PCA colour jitter, σ.", (), 0.0, 1.0),
    Key(
        "preprocess.resize",
        "int",
        0,
        "Lazy sources: shorter side before the centre crop (0: the input size ÷ 0.875).",
        (),
        0,
        8192,
    ),
    Key(
        "preprocess.train_crop",
        "choice",
        "auto",
        "Lazy sources: training crop (auto: random-resized when the input's shorter side is at "
        "least 96 pixels, else the centre crop).",
        TRAIN_CROPS,
    ),
    Key(
        "preprocess.scale_min",
        "float",
        0.08,
        "Random-resized crop: smallest share of the area.",
        (),
        0.01,
        1.0,
    ),
    Key("preprocess.flip", "bool", True, "Lazy sources: random horizontal flips."),
    Key(
        "preprocess.rotation",
        "float",
        0.0,
        "Lazy sources: random rotation, ± degrees.",
        (),
        0.0,
        180.0,
    ),
    Key(
        "preprocess.jitter",
        "float",
        0.0,
        "Lazy sources: brightness, contrast and saturation jitter, ± fraction.",
        (),
        0.0,
        1.0,
    ),
    Key(
        "preprocess.normalise",
        "bool",
        True,
        "Lazy sources: standardise with the training split's mean and std.",
    ),
    Key(
        "preprocess.fast_decode",
        "bool",
        False,
        "JPEGs: decode at 1/2, 1/4 or 1/8 scale even where the crop then has up to 1.5× fewer "
        "pixels per side than the input, and enlarge it (faster; slightly softer images).",
    ),
)
"""Every key of a project's `data` section: the schema of parse_data, the README table and the
data form alike."""
DATA_FIELD: dict[str, ParamSpec] = {k.name: k for k in DATA_KEYS}
"""The keys by (dotted) name."""


@dataclass(frozen=True)
class Augment:
    """Batched augmentation: random crop after zero padding, horizontal flip, PCA colour jitter
    σ."""

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
    preprocess: Preprocess = field(default_factory=Preprocess)
    workers: int = -1
    """Loader processes for lazy sources; -1: the number of cores, at most MAX_WORKERS."""
    cache: bool = False
    """Keep decoded images in memory (lazy sources; refused when they would not fit)."""
    dataset: str = ""
    """Hugging Face: a hub name, or empty when `path` names local files."""
    image_column: str = ""
    label_column: str = ""
    """CSV and Hugging Face columns; empty: guessed."""
    val_path: Path | str | None = None
    """WebDataset: validation shards (else a share of the training shards' samples)."""
    samples: int = 0
    """WebDataset: samples in the training shards; 0: counted (local shards only)."""

    @property
    def lazy(self) -> bool:
        """Whether images are read file by file rather than held in memory."""
        return self.source in LAZY


def default_data(input_shape: tuple[int, int, int]) -> dict[str, Any]:
    """What a project without a data section trains on: MNIST for 1×28×28, 8×8 digits for 1×8×8,
    shapes for RGB."""
    c, h, w = input_shape
    if c == 3:
        return {
            "source": "shapes",
            "validation": 0.2,
            "augment": {"crop_padding": 2, "flip": True, "pca_jitter": 0.1},
        }
    if (h, w) == (8, 8):
        return {"source": "digits", "validation": 0.2}
    return {"source": "mnist", "validation": 1000, "augment": {"crop_padding": 2}}


def _path(value: Any, key: str, base: Path | None) -> Path:
    """A path setting, resolved against the project's folder."""
    if not isinstance(value, str) or not value:
        raise DataError(None, f"data setting '{key}' must name a file or folder")
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else base / path


def _shards(value: Any, key: str, base: Path | None) -> Path | str:
    """A shard pattern: a URL (any scheme, checked when opened) is kept as text, a local pattern
    is resolved like a path."""
    if isinstance(value, str) and url_scheme(value):
        return value
    return _path(value, key, base)


def _text(merged: Mapping[str, Any], key: str) -> str:
    """An optional text setting (a column name)."""
    value = merged.get(key, "")
    if not isinstance(value, str) or len(value) > int(DATA_FIELD[key].maximum or 4096):
        raise DataError(None, f"data setting '{key}' must be a column name, got {value!r}")
    return value


def _whole(merged: Mapping[str, Any], key: str) -> int:
    """A bounded whole-number setting (default and bounds from its key in DATA_KEYS)."""
    spec = DATA_FIELD[key]
    low, high = int(spec.minimum or 0), int(spec.maximum or 0)
    value = merged.get(key, spec.default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DataError(
            None, f"data setting '{key}' must be a whole number {low}–{high}, got {shown(value)}"
        )
    return value


def _augment(raw: Any) -> Augment:
    """Parse the augment sub-section."""
    if raw is None:
        return Augment()
    if not isinstance(raw, Mapping):
        raise DataError(None, "data setting 'augment' must be an object")
    pad, flip, jitter = (
        raw.get("crop_padding", 0),
        raw.get("flip", False),
        raw.get("pca_jitter", 0.0),
    )
    pad_key, jitter_key = DATA_FIELD["augment.crop_padding"], DATA_FIELD["augment.pca_jitter"]
    most = int(pad_key.maximum or 0)
    if isinstance(pad, bool) or not isinstance(pad, int) or not 0 <= pad <= most:
        raise DataError(
            None, f"augment 'crop_padding' must be a whole number 0–{most}, got {pad!r}"
        )
    if not isinstance(flip, bool):
        raise DataError(None, f"augment 'flip' must be true or false, got {flip!r}")
    top = jitter_key.maximum or 0
    if isinstance(jitter, bool) or not isinstance(jitter, (int, float)) or not 0 <= jitter <= top:
        raise DataError(None, f"augment 'pca_jitter' must be a number 0–{top:g}, got {jitter!r}")
    return Augment(pad, flip, float(jitter))


def _validation(value: Any) -> float:
    """A held-out fraction (0 < f < 1) or a count (whole number ≥ 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise DataError(
            None, f"data setting 'validation' must be a fraction (0–1) or a count, got {value!r}"
        )
    if isinstance(value, float) and not value < 2**31 or isinstance(value, int) and value >= 2**31:
        raise DataError(
            None,
            f"data setting 'validation' must be a fraction (0–1) or a count below 2**31, "
            f"got {shown(value)}",
        )
    if isinstance(value, float) and value >= 1 and value != int(value):
        raise DataError(
            None, f"data setting 'validation' {value!r} is neither a fraction below 1 nor a count"
        )
    return float(value)


def parse_data(
    raw: Mapping[str, Any] | None, input_shape: tuple[int, int, int], base: Path | None = None
) -> DataSettings:
    """Validate a data section (missing keys take defaults for the project's input size)."""
    defaults = default_data(input_shape)
    if (raw or {}).get("source", defaults["source"]) != defaults["source"]:
        defaults = {"validation": 0.2}  # the defaults are those of the default data set
    merged = {**defaults, **(raw or {})}
    source = merged["source"]
    if source not in SOURCES:
        raise DataError(
            None, f"data source {source!r} is unknown; choose one of {', '.join(SOURCES)}"
        )
    path = labels = val_path = None
    dataset = ""
    if source in ("folder", "cifar10", "csv"):
        path = _path(merged.get("path"), "path", base)
    if source == "idx":
        path = _path(merged.get("images"), "images", base)
        labels = _path(merged.get("labels"), "labels", base)
    if source == "hf":
        dataset = merged.get("dataset", "")
        if not isinstance(dataset, str) or len(dataset) > 512:
            raise DataError(
                None, f"data setting 'dataset' must be a Hugging Face name, got {dataset!r}"
            )
        if not dataset:
            path = _path(merged.get("path"), "path", base)
    if source == "webdataset":
        path = _shards(merged.get("shards"), "shards", base)
        if merged.get("val_shards"):
            val_path = _shards(merged.get("val_shards"), "val_shards", base)
    seed = _whole(merged, "split_seed")
    count = _whole(merged, "shapes_count")
    cache = merged.get("cache", False)
    if not isinstance(cache, bool):
        raise DataError(None, f"data setting 'cache' must be true or false, got {cache!r}")
    return DataSettings(
        source,
        path,
        labels,
        _validation(merged.get("validation", 0.2)),
        seed,
        count,
        _augment(merged.get("augment")),
        parse_preprocess(merged.get("preprocess")),
        _whole(merged, "workers"),
        cache,
        dataset,
        _text(merged, "image_column"),
        _text(merged, "label_column"),
        val_path,
        _whole(merged, "samples"),
    )
