"""IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed."""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from runtime.data.dataset import ImageSet
from runtime.data.errors import DataError

_UINT8 = 0x08


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip."""
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except FileNotFoundError:
        raise DataError(path, "does not exist") from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(path, f"cannot be read: {exc}") from None


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX array of unsigned bytes with its stored dimensions."""
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(path, "is not an IDX file (the first two bytes must be zero)")
    if raw[2] != _UINT8:
        raise DataError(path, f"stores type 0x{raw[2]:02x}; only unsigned bytes (0x08) are supported")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DataError(path, "has a truncated IDX header")
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims))
    if len(raw) - header != expected:
        raise DataError(path, f"header says {'×'.join(map(str, dims))} = {expected:,} values but the file holds "
                              f"{len(raw) - header:,}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def load_idx(images_path: str | Path, labels_path: str | Path, classes: tuple[str, ...] | None = None) -> ImageSet:
    """Images (N×H×W or N×C×H×W) and labels (N) from two IDX files."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4:
        raise DataError(images_path, f"holds a {images.ndim}-dimensional array; images need N×H×W")
    if labels.ndim != 1:
        raise DataError(labels_path, f"holds a {labels.ndim}-dimensional array; labels need one dimension")
    if len(labels) != len(images):
        raise DataError(labels_path, f"has {len(labels):,} labels but {Path(images_path).name} has "
                                     f"{len(images):,} images")
    count = int(labels.max()) + 1 if len(labels) else 0
    names = classes or tuple(str(i) for i in range(count))
    if len(names) < count:
        raise DataError(labels_path, f"has label {count - 1} but only {len(names)} class names")
    return ImageSet(np.ascontiguousarray(images), labels.astype(np.int64), names, Path(images_path).name)
