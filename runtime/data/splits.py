"""Open a lazy source as training and validation readers (folder, CSV/TSV, Hugging Face,
WebDataset)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from runtime.data.errors import DataError
from runtime.data.index import FileIndex, Progress, read_label_file, scan_folder
from runtime.data.lazy import FileReader, Reader
from runtime.data.settings import DataSettings
from runtime.data.split import held_out_text, split_index


@dataclass(frozen=True)
class Splits:
    """A lazy source's training and validation readers, its name, and an identity for caches."""

    train: Reader
    val: Reader
    classes: tuple[str, ...]
    name: str
    identity: Any
    layout: str
    """How validation was chosen, for people: 'val/ folder', 'random 20 %' …"""


def _from_index(
    index: FileIndex, val: FileIndex | None, settings: DataSettings, what: str
) -> Splits:
    """Readers over an index, split at random unless `val` is given."""
    identity = (what, str(index.root), len(index), settings.split_seed, settings.validation)
    if val is not None:
        return Splits(
            FileReader(index),
            FileReader(val),
            index.classes,
            index.name,
            identity,
            "train/ and val/ folders",
        )
    train_at, val_at = split_index(len(index), settings.validation, settings.split_seed, index.name)
    return Splits(
        FileReader(index.subset(train_at)),
        FileReader(index.subset(val_at)),
        index.classes,
        index.name,
        identity,
        held_out_text(settings.validation),
    )


def open_splits(settings: DataSettings, progress: Progress | None = None) -> Splits:
    """The training and validation readers of a lazy source."""
    if settings.source == "folder":
        layout = scan_folder(settings.path, progress)
        return _from_index(layout.train, layout.val, settings, "folder")
    if settings.source == "csv":
        index = read_label_file(settings.path, settings.image_column, settings.label_column)
        return _from_index(index, None, settings, "csv")
    if settings.source == "hf":
        from runtime.data.hf import open_hf

        return open_hf(settings)
    if settings.source == "webdataset":
        from runtime.data.shards import open_shards

        return open_shards(settings, progress)
    raise DataError(None, f"data source {settings.source!r} is held in memory, not read lazily")


def random_split(
    reader_labels: np.ndarray, settings: DataSettings, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded training and validation positions for sources without a validation split of their
    own."""
    return split_index(len(reader_labels), settings.validation, settings.split_seed, name)
