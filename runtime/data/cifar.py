"""CIFAR-10 binary batches (data_batch_*.bin: one label byte then 3×32×32 pixels per record)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from runtime.data.dataset import ImageSet
from runtime.data.errors import DataError

RECORD = 1 + 3 * 32 * 32
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _batch_files(path: Path) -> list[Path]:
    """The .bin files to read: the file itself, or a folder's data_batch_*.bin (else every .bin)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(path, "does not exist")
    files = sorted(path.glob("data_batch_*.bin")) or sorted(path.glob("*.bin"))
    if not files:
        raise DataError(path, "holds no CIFAR-10 .bin batches (expected data_batch_1.bin …)")
    return files


def _read_batch(path: Path) -> np.ndarray:
    """The (records, 3073) bytes of one batch file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not raw or len(raw) % RECORD:
        raise DataError(
            path,
            f"is {len(raw):,} bytes, not a whole number of {RECORD}-byte CIFAR-10 records "
            "(is it the Python pickle version? use the binary version)",
        )
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD)


def _class_names(folder: Path) -> tuple[str, ...]:
    """Names from batches.meta.txt when present, else the standard CIFAR-10 names."""
    meta = folder / "batches.meta.txt"
    if meta.is_file():
        names = tuple(
            line.strip()
            for line in meta.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip()
        )
        if len(names) >= 10:
            return names[:10]
    return CLASSES


def load_cifar10(path: str | Path) -> ImageSet:
    """Every record of the batch file or folder `path` as 3×32×32 images."""
    path = Path(path)
    files = _batch_files(path)
    records = np.concatenate([_read_batch(f) for f in files])
    labels = records[:, 0].astype(np.int64)
    if labels.max() >= 10:
        bad = files[0] if len(files) == 1 else path
        raise DataError(bad, f"has label {labels.max()}; CIFAR-10 labels are 0–9")
    images = records[:, 1:].reshape(-1, 3, 32, 32).copy()
    folder = path if path.is_dir() else path.parent
    return ImageSet(images, labels, _class_names(folder), f"CIFAR-10 ({path.name})")
