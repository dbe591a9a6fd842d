"""WebDataset tar shards as a lazy source (optional extra convstudio[webdataset]).

Local or http(s) shards, named by a brace pattern, are indexed once (member offsets, cached) and
read by position, so they shuffle, split and resume like files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from runtime.data.errors import DataError
from runtime.data.index import Progress
from runtime.data.settings import DataSettings
from runtime.data.shard_http import check_ranges, read_range
from runtime.data.shard_index import index_shard
from runtime.data.shard_location import ShardLocation, expand
from runtime.data.split import held_out_text, split_index
from runtime.data.splits import Splits


class ShardReader:
    """A Reader over samples in tar shards: each image is read by offset (a byte range for a
    URL)."""

    def __init__(
        self,
        shards: list[ShardLocation],
        rows: np.ndarray,
        labels: np.ndarray,
        classes: tuple[str, ...],
    ) -> None:
        self.shards, self.rows, self.labels, self.classes = shards, rows, labels, classes
        self._files: dict[int, Any] = {}
        self._pid = 0

    def __len__(self) -> int:
        return len(self.labels)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_files": {}}

    def load(self, i: int) -> bytes:
        """The encoded image of sample i."""
        shard, offset, size = (int(v) for v in self.rows[i])
        where = self.shards[shard]
        if where.remote:
            return read_range(where.url, offset, size)
        if self._pid != os.getpid():  # open files are not shared with worker processes
            self._files, self._pid = {}, os.getpid()
        f = self._files.get(shard)
        if f is None:
            f = self._files[shard] = open(where.path, "rb")  # noqa: SIM115 - kept open for reuse
        f.seek(offset)
        return f.read(size)

    def describe(self, i: int) -> str:
        """shard:offset of sample i."""
        shard, offset, _ = (int(v) for v in self.rows[i])
        return f"{self.shards[shard].name} (sample at byte {offset})"


def _index(
    pattern: str | Path, progress: Progress | None
) -> tuple[list[ShardLocation], np.ndarray, list[str]]:
    """Shards, (shard, offset, size) rows and label texts of every sample."""
    shards = expand(str(pattern))
    rows, labels = [], []
    for s, shard in enumerate(shards):
        found = index_shard(shard)
        if shard.remote and found:
            check_ranges(shard.url, int(found[0][0]), int(found[0][1]))
        for offset, size, label in found:
            rows.append((s, offset, size))
            labels.append(label)
        if progress is not None:
            progress(len(rows), f"indexing shard {shard.name.rsplit('/', 1)[-1]}")
    if not rows:
        raise DataError(str(pattern), "holds no samples with an image")
    return shards, np.array(rows, dtype=np.int64), labels


def _classes(texts: list[str]) -> tuple[str, ...]:
    """Class names: numbers sorted as numbers, else names sorted."""
    unique = set(texts)
    if all(t.lstrip("-").isdigit() for t in unique):
        top = max(int(t) for t in unique)
        return (
            tuple(str(i) for i in range(top + 1))
            if top < 100_000
            else tuple(sorted(unique, key=int))
        )
    return tuple(sorted(unique))


def _source_name(shard: ShardLocation) -> str:
    """A short name for the data set: the shards' folder, else the first shard's stem."""
    if shard.remote:
        parts = shard.url.split("?", 1)[0].rstrip("/").split("/")
        return parts[-2] if len(parts) > 4 else parts[-1].split(".", 1)[0]
    return shard.path.parent.name or shard.path.stem


def open_shards(settings: DataSettings, progress: Progress | None = None) -> Splits:
    """Training and validation readers of WebDataset shards (local files or http(s) URLs)."""
    shards, rows, texts = _index(settings.path, progress)
    val = _index(settings.val_path, progress) if settings.val_path else None
    classes = _classes(texts + (val[2] if val else []))
    lookup = {c: i for i, c in enumerate(classes)}
    labels = np.array([lookup[t] for t in texts], dtype=np.int64)
    name = _source_name(shards[0])
    identity = (
        "webdataset",
        [s.name for s in shards],
        len(rows),
        settings.split_seed,
        settings.validation,
    )
    if len(classes) < 2:
        raise DataError(
            str(settings.path), f"holds only one class ('{classes[0]}'); a classifier needs two"
        )
    if val is not None:
        val_labels = np.array([lookup[t] for t in val[2]], dtype=np.int64)
        return Splits(
            ShardReader(shards, rows, labels, classes),
            ShardReader(val[0], val[1], val_labels, classes),
            classes,
            name,
            identity,
            "validation shards",
        )
    train_at, val_at = split_index(len(rows), settings.validation, settings.split_seed, name)
    held = held_out_text(settings.validation)
    return Splits(
        ShardReader(shards, rows[train_at], labels[train_at], classes),
        ShardReader(shards, rows[val_at], labels[val_at], classes),
        classes,
        name,
        identity,
        held,
    )
