"""Hugging Face `datasets` as a lazy source (optional extra convstudio[hf]): saved data sets,
parquet or arrow files, the imagefolder builder, or a hub name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from runtime.data.errors import DataError
from runtime.data.settings import DataSettings
from runtime.data.split import held_out_text, split_index
from runtime.data.splits import Splits

INSTALL = "Hugging Face data sets need the optional extra: pip install 'convstudio[hf]'"
VAL_SPLITS = ("validation", "valid", "val", "test")
LABEL_NAMES = ("label", "labels", "class", "target", "fine_label", "coarse_label")
IMAGE_NAMES = ("image", "img", "picture", "pixel_values")


def _datasets() -> Any:
    """The `datasets` module, or DataError saying how to install it."""
    try:
        import datasets
    except ImportError:
        raise DataError(None, INSTALL) from None
    return datasets


class HFReader:
    """A Reader over one split of a Hugging Face data set; images arrive as encoded bytes or a path
    so they are decoded with the same safety checks as files."""

    def __init__(
        self, table: Any, image_column: str, labels: np.ndarray, classes: tuple[str, ...], name: str
    ) -> None:
        self.table, self.image_column, self.name = table, image_column, name
        self.labels, self.classes = labels, classes

    def __len__(self) -> int:
        return len(self.labels)

    def load(self, i: int) -> Any:
        """The encoded image (bytes) or its path."""
        cell = self.table[int(i)][self.image_column]
        if isinstance(cell, dict):
            return cell.get("bytes") or cell.get("path") or b""
        return cell

    def describe(self, i: int) -> str:
        """name[row]."""
        return f"{self.name}[{int(i)}]"


def _load(settings: DataSettings) -> tuple[Any, str]:
    """The data set (or dict of splits) the settings name, and a name for it."""
    ds = _datasets()
    try:
        if settings.dataset:
            return ds.load_dataset(settings.dataset), settings.dataset
        path = Path(settings.path)
        if not path.exists():
            raise DataError(path, "does not exist")
        if path.is_dir() and any(
            (path / m).is_file() for m in ("dataset_info.json", "state.json", "dataset_dict.json")
        ):
            return ds.load_from_disk(str(path)), path.name
        files = (
            [path]
            if path.is_file()
            else sorted(p for p in path.iterdir() if p.suffix in (".parquet", ".arrow"))
        )
        if files:
            kind = "arrow" if files[0].suffix == ".arrow" else "parquet"
            return ds.load_dataset(kind, data_files=[str(f) for f in files]), path.stem
        return ds.load_dataset("imagefolder", data_dir=str(path)), path.name
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - `datasets` raises many unrelated types
        where = settings.dataset or settings.path
        first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise DataError(where, f"cannot be opened as a Hugging Face data set ({first})") from None


def _pick(names: list[str], wanted: str, guesses: tuple[str, ...], what: str, where: str) -> str:
    """The column `wanted`, else a guess."""
    if wanted:
        if wanted not in names:
            raise DataError(where, f"has no column '{wanted}' (columns: {', '.join(names)})")
        return wanted
    found = next((n for n in guesses if n in names), None)
    if found is None:
        raise DataError(
            where,
            f"has no {what} column I can guess; set data setting "
            f"'{'image_column' if what == 'image' else 'label_column'}' "
            f"(columns: {', '.join(names)})",
        )
    return found


def guess_columns(
    features: Any, image_column: str = "", label_column: str = "", where: str = ""
) -> tuple[str, str]:
    """(image, label) columns: as named, else the Image feature and the ClassLabel feature."""
    ds = _datasets()
    names = list(features)
    images = [n for n in names if isinstance(features[n], ds.Image)]
    labels = [n for n in names if isinstance(features[n], ds.ClassLabel)]
    image = _pick(names, image_column, tuple(images) + IMAGE_NAMES, "image", where)
    label = _pick(names, label_column, tuple(labels) + LABEL_NAMES, "label", where)
    return image, label


def _encoded(table: Any, column: str) -> Any:
    """The table with its image column left encoded (decoded later by our own checked decoder)."""
    ds = _datasets()
    if isinstance(table.features[column], ds.Image):
        return table.cast_column(column, ds.Image(decode=False))
    return table


def open_hf(settings: DataSettings) -> Splits:
    """Training and validation readers of a Hugging Face data set."""
    ds = _datasets()
    loaded, name = _load(settings)
    if isinstance(loaded, ds.DatasetDict):
        split_names = list(loaded)
        train_name = "train" if "train" in loaded else split_names[0]
        val_name = next((n for n in VAL_SPLITS if n in loaded and n != train_name), None)
        train_table = loaded[train_name]
        val_table = loaded[val_name] if val_name else None
    else:
        train_table, val_table, val_name = loaded, None, None
    image, label = guess_columns(
        train_table.features, settings.image_column, settings.label_column, name
    )
    feature = train_table.features[label]
    train_table = _encoded(train_table.select_columns([image, label]), image)
    raw = list(train_table[label])
    if isinstance(feature, ds.ClassLabel):
        classes = tuple(feature.names)
        lookup = {i: i for i in range(len(classes))}
    else:
        values = sorted(set(raw), key=lambda v: (isinstance(v, str), v))
        classes = tuple(str(v) for v in values)
        lookup = {v: i for i, v in enumerate(values)}

    def labels_of(values: list) -> np.ndarray:
        try:
            return np.array([lookup[v] for v in values], dtype=np.int64)
        except KeyError as exc:
            raise DataError(
                name, f"validation label {exc.args[0]!r} is not among the training labels"
            ) from None

    labels = labels_of(raw)
    identity = ("hf", name, len(raw), settings.split_seed, settings.validation)
    if val_table is not None:
        val_table = _encoded(val_table.select_columns([image, label]), image)
        return Splits(
            HFReader(train_table, image, labels, classes, name),
            HFReader(val_table, image, labels_of(list(val_table[label])), classes, name),
            classes,
            name,
            identity,
            f"the '{val_name}' split",
        )
    train_at, val_at = split_index(len(labels), settings.validation, settings.split_seed, name)
    held = held_out_text(settings.validation)
    return Splits(
        HFReader(train_table.select(train_at), image, labels[train_at], classes, name),
        HFReader(train_table.select(val_at), image, labels[val_at], classes, name),
        classes,
        name,
        identity,
        held,
    )
