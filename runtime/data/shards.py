"""WebDataset tar shards as a lazy source (optional extra convstudio[webdataset]).

Local shards are indexed once (member offsets, cached by size and time) and read by position, so
they
shuffle, split and resume like files."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path
from typing import Any

import numpy as np

from runtime.data.cache import cache_key, read_cached, write_cached
from runtime.data.errors import DataError
from runtime.data.index import Progress
from runtime.data.settings import DataSettings
from runtime.data.split import split_index
from runtime.data.splits import Splits

INSTALL = "WebDataset shards need the optional extra: pip install 'convstudio[webdataset]'"
IMAGE_KEYS = ("jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "ppm")
LABEL_KEYS = ("cls", "label", "class", "txt")


def expand(pattern: str) -> list[str]:
    """The shard names of a brace pattern ('train-{000..009}.tar')."""
    try:
        from braceexpand import braceexpand
    except ImportError:
        raise DataError(None, INSTALL) from None
    return list(braceexpand(pattern))


def _split_name(member: str) -> tuple[str, str]:
    """(sample key, extension) the WebDataset way: the extension starts at the first dot of the
    base name."""
    folder, _, base = member.rpartition("/")
    stem, _, ext = base.partition(".")
    return (f"{folder}/{stem}" if folder else stem), ext.lower()


def _index_shard(path: Path) -> list[list[Any]]:
    """[offset, size, label text] of every sample with an image in one shard (cached by size and
    time)."""
    stat = path.stat()
    key = cache_key("shard", 1, str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    cached = read_cached("shards", key)
    if isinstance(cached, list):
        return cached
    samples: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                name, ext = _split_name(member.name)
                if name not in samples:
                    samples[name] = {}
                    order.append(name)
                if ext in IMAGE_KEYS:
                    samples[name]["image"] = (member.offset_data, member.size)
                elif ext in LABEL_KEYS and member.size <= 256:
                    samples[name]["label"] = (
                        tar.extractfile(member).read().decode("utf-8", "replace").strip()
                    )
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataError(path, f"is not a readable tar shard ({exc})") from None
    rows = [[*s["image"], s.get("label", "")] for s in (samples[n] for n in order) if "image" in s]
    if any(not r[2] for r in rows):
        missing = next(n for n in order if "image" in samples[n] and not samples[n].get("label"))
        raise DataError(
            path, f"sample '{missing}' has an image but no label (.cls, .label or .txt)"
        )
    write_cached("shards", key, rows)
    return rows


class ShardReader:
    """A Reader over samples in local tar shards: each image is read by offset."""

    def __init__(
        self, shards: list[str], rows: np.ndarray, labels: np.ndarray, classes: tuple[str, ...]
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
        if self._pid != os.getpid():  # open files are not shared with worker processes
            self._files, self._pid = {}, os.getpid()
        shard, offset, size = (int(v) for v in self.rows[i])
        f = self._files.get(shard)
        if f is None:
            f = self._files[shard] = open(self.shards[shard], "rb")  # noqa: SIM115 - kept open for reuse
        f.seek(offset)
        return f.read(size)

    def describe(self, i: int) -> str:
        """shard:offset of sample i."""
        shard, offset, _ = (int(v) for v in self.rows[i])
        return f"{self.shards[shard]} (sample at byte {offset})"


def _local(
    pattern: str | Path, progress: Progress | None
) -> tuple[list[str], np.ndarray, list[str]]:
    """Shard names, (shard, offset, size) rows and label texts of every sample."""
    names = expand(str(pattern))
    rows, labels = [], []
    for s, name in enumerate(names):
        if not Path(name).is_file():
            raise DataError(name, "does not exist" if not Path(name).exists() else "is not a file")
        for offset, size, label in _index_shard(Path(name)):
            rows.append((s, offset, size))
            labels.append(label)
        if progress is not None:
            progress(len(rows), f"indexing shard {Path(name).name}")
    if not rows:
        raise DataError(str(pattern), "holds no samples with an image")
    return names, np.array(rows, dtype=np.int64), labels


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


def open_shards(settings: DataSettings, progress: Progress | None = None) -> Splits:
    """Training and validation readers of local WebDataset shards."""
    if "://" in str(settings.path) or "://" in str(settings.val_path or ""):
        raise DataError(
            str(settings.path),
            "remote shards are not supported yet: download them and name the local files",
        )
    names, rows, texts = _local(settings.path, progress)
    val = _local(settings.val_path, progress) if settings.val_path else None
    classes = _classes(texts + (val[2] if val else []))
    lookup = {c: i for i, c in enumerate(classes)}
    labels = np.array([lookup[t] for t in texts], dtype=np.int64)
    name = Path(names[0]).parent.name or Path(names[0]).stem
    identity = ("webdataset", names, len(rows), settings.split_seed, settings.validation)
    if len(classes) < 2:
        raise DataError(
            str(settings.path), f"holds only one class ('{classes[0]}'); a classifier needs two"
        )
    if val is not None:
        val_labels = np.array([lookup[t] for t in val[2]], dtype=np.int64)
        return Splits(
            ShardReader(names, rows, labels, classes),
            ShardReader(val[0], val[1], val_labels, classes),
            classes,
            name,
            identity,
            "validation shards",
        )
    train_at, val_at = split_index(len(rows), settings.validation, settings.split_seed, name)
    held = (
        f"random {settings.validation:.0%}"
        if settings.validation < 1
        else f"random {int(settings.validation)}"
    )
    return Splits(
        ShardReader(names, rows[train_at], labels[train_at], classes),
        ShardReader(names, rows[val_at], labels[val_at], classes),
        classes,
        name,
        identity,
        held,
    )
