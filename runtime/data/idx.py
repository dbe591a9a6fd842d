"""IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed.

Files come from users, so nothing is allocated on trust: the header's dimensions are multiplied
with a bound before any array exists, and a gzip stream is decompressed only up to the size its
header declares (a small bomb that inflates to gigabytes is refused after one byte too many).
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np

from runtime.bounded_read import format_bytes, open_regular
from runtime.data.dataset import ImageSet
from runtime.data.errors import DataError

_UINT8 = 0x08
_GZIP_MAGIC = b"\x1f\x8b"
MAX_VALUES = 2**31
"""The largest array an IDX file may declare (2 GiB of bytes), far above any image set in memory."""
_CHUNK = 1 << 20


class _Reader:
    """Bytes of a regular file, inflated on the fly when it is gzip; never more than asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = open_regular(path, DataError)
        self.inflate: zlib._Decompress | None = None
        self.pending = b""
        first = self._raw(2)
        if first == _GZIP_MAGIC:
            self.inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            first = self.inflate.decompress(first)
        self.pending = first

    def close(self) -> None:
        """Release the descriptor."""
        os.close(self.fd)

    def _raw(self, count: int) -> bytes:
        try:
            return os.read(self.fd, count)
        except OSError as exc:
            raise DataError(self.path, f"cannot be read: {exc.strerror or exc}") from None

    def read(self, count: int) -> bytes:
        """Up to `count` bytes (fewer only at the end of the data)."""
        parts, size = [self.pending[:count]], min(len(self.pending), count)
        self.pending = self.pending[count:]
        while size < count:
            chunk = self._next(count - size)
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        return b"".join(parts)

    def read_into(self, buffer: memoryview) -> int:
        """Fill `buffer` as far as the data goes; the number of bytes written."""
        size = min(len(self.pending), len(buffer))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        while size < len(buffer):
            chunk = self._next(len(buffer) - size)
            if not chunk:
                break
            buffer[size : size + len(chunk)] = chunk
            size += len(chunk)
        return size

    def _next(self, wanted: int) -> bytes:
        if self.inflate is None:
            return self._raw(min(_CHUNK, wanted))
        while True:
            try:
                if self.inflate.unconsumed_tail:
                    out = self.inflate.decompress(self.inflate.unconsumed_tail, wanted)
                elif self.inflate.eof:
                    return b""
                else:
                    raw = self._raw(_CHUNK)
                    if not raw:
                        return b""
                    out = self.inflate.decompress(raw, wanted)
            except zlib.error as exc:
                raise DataError(self.path, f"is a corrupt gzip file ({exc})") from None
            if out:
                return out


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX array of unsigned bytes with its stored dimensions."""
    path = Path(path)
    reader = _Reader(path)
    try:
        return _read_array(reader, path)
    finally:
        reader.close()


def _read_array(reader: _Reader, path: Path) -> np.ndarray:
    magic = reader.read(4)
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0:
        raise DataError(path, "is not an IDX file (the first two bytes must be zero)")
    if magic[2] != _UINT8:
        raise DataError(
            path, f"stores type 0x{magic[2]:02x}; only unsigned bytes (0x08) are supported"
        )
    ndim = magic[3]
    raw_dims = reader.read(4 * ndim)
    if ndim == 0 or len(raw_dims) < 4 * ndim:
        raise DataError(path, "has a truncated IDX header")
    dims = tuple(int.from_bytes(raw_dims[4 * i : 4 + 4 * i], "big") for i in range(ndim))
    expected = 1
    for dim in dims:
        expected *= dim  # Python ints: the product cannot overflow, only exceed the bound
    shape = "×".join(map(str, dims))
    if expected > MAX_VALUES:
        raise DataError(
            path,
            f"header declares {shape} = {expected:,} values ({format_bytes(expected)}); "
            f"at most {format_bytes(MAX_VALUES)} can be loaded into memory",
        )
    try:
        values = np.empty(
            expected + 1, dtype=np.uint8
        )  # one byte past the declared size: trailing data
    except MemoryError:
        raise DataError(
            path, f"needs {format_bytes(expected)} of memory for {shape} values, more than is free"
        ) from None
    held = reader.read_into(memoryview(values))
    if held != expected:
        count = f"{held:,}" if held <= expected else "more"
        raise DataError(
            path, f"header says {shape} = {expected:,} values but the file holds {count}"
        )
    return values[:expected].reshape(dims)


def load_idx(
    images_path: str | Path, labels_path: str | Path, classes: tuple[str, ...] | None = None
) -> ImageSet:
    """Images (N×H×W or N×C×H×W) and labels (N) from two IDX files."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4:
        raise DataError(images_path, f"holds a {images.ndim}-dimensional array; images need N×H×W")
    if labels.ndim != 1:
        raise DataError(
            labels_path, f"holds a {labels.ndim}-dimensional array; labels need one dimension"
        )
    if len(labels) != len(images):
        raise DataError(
            labels_path,
            f"has {len(labels):,} labels but {Path(images_path).name} has {len(images):,} images",
        )
    count = int(labels.max()) + 1 if len(labels) else 0
    names = classes or tuple(str(i) for i in range(count))
    if len(names) < count:
        raise DataError(labels_path, f"has label {count - 1} but only {len(names)} class names")
    return ImageSet(
        np.ascontiguousarray(images), labels.astype(np.int64), names, Path(images_path).name
    )
