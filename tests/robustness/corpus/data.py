"""Bad data files (IDX, CIFAR, image folders) with the data sections that name them, and the PNG
writers that image inputs (data folders, `explain --image`) are made of.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path
from typing import Any, Callable

from tests.robustness.corpus.builders import Writer, bytes_file
from tests.robustness.deflate_bomb import zero_bomb


def idx_header(dims: tuple[int, ...]) -> bytes:
    """An IDX header of unsigned bytes with `dims`."""
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)


def data_files() -> dict[str, tuple[dict[str, Any], dict[str, Writer]]]:
    """Bad data files with the data section that names them: (data section, files to write)."""
    labels = idx_header((20,)) + bytes(i % 10 for i in range(20))
    good_images = idx_header((20, 8, 8)) + bytes(20 * 64)
    idx = {"source": "idx", "images": "images.idx", "labels": "labels.idx"}
    idx_gz = dict(idx, images="images.idx.gz")
    return {
        "idx_gzip_bomb": (
            idx_gz,
            {
                "images.idx.gz": bytes_file(zero_bomb(idx_header((20, 8, 8)), 3 * 2**29)),
                "labels.idx": bytes_file(labels),
            },
        ),
        "idx_header_overflow": (
            idx,
            {
                "images.idx": bytes_file(idx_header((65536,) * 4) + bytes(64)),
                "labels.idx": bytes_file(labels),
            },
        ),
        "idx_header_2gib": (
            idx,
            {
                "images.idx": bytes_file(idx_header((2**15, 2**8, 2**8)) + bytes(64)),
                "labels.idx": bytes_file(labels),
            },
        ),
        "idx_truncated_header": (
            idx,
            {
                "images.idx": bytes_file(idx_header((20, 8, 8))[:9]),
                "labels.idx": bytes_file(labels),
            },
        ),
        "idx_truncated_data": (
            idx,
            {"images.idx": bytes_file(good_images[:-10]), "labels.idx": bytes_file(labels)},
        ),
        "idx_trailing_data": (
            idx,
            {"images.idx": bytes_file(good_images + b"extra"), "labels.idx": bytes_file(labels)},
        ),
        "idx_wrong_magic": (
            idx,
            {
                "images.idx": bytes_file(b"\x01\x02" + good_images[2:]),
                "labels.idx": bytes_file(labels),
            },
        ),
        "idx_float_type": (
            idx,
            {
                "images.idx": bytes_file(b"\x00\x00\x0d\x03" + good_images[4:]),
                "labels.idx": bytes_file(labels),
            },
        ),
        "idx_label_count": (
            idx,
            {"images.idx": bytes_file(good_images), "labels.idx": bytes_file(labels[:-5])},
        ),
        "idx_corrupt_gzip": (
            idx_gz,
            {
                "images.idx.gz": bytes_file(gzip.compress(good_images)[:-30] + b"garbage"),
                "labels.idx": bytes_file(labels),
            },
        ),
        "idx_fifo": (dict(idx, images="fifo.idx"), {"labels.idx": bytes_file(labels)}),
        "idx_dev_zero": (dict(idx, images="/dev/zero"), {"labels.idx": bytes_file(labels)}),
        "cifar_truncated": (
            {"source": "cifar10", "path": "data_batch_1.bin"},
            {"data_batch_1.bin": bytes_file(bytes(3073 * 2 + 7))},
        ),
        "cifar_bad_label": (
            {"source": "cifar10", "path": "data_batch_1.bin"},
            {"data_batch_1.bin": bytes_file((b"\xff" + bytes(3072)) * 4)},
        ),
        "folder_png_bomb": (
            {"source": "folder", "path": "imgs"},
            {
                "imgs/a/bomb.png": _png_bomb,
                "imgs/a/ok.png": _png_small,
                "imgs/b/ok.png": _png_small,
            },
        ),
        "folder_corrupt_png": (
            {"source": "folder", "path": "imgs"},
            {
                "imgs/a/bad.png": bytes_file(b"\x89PNG\r\n\x1a\nnot really"),
                "imgs/a/ok.png": _png_small,
                "imgs/b/ok.png": _png_small,
            },
        ),
        "folder_empty_png": (
            {"source": "folder", "path": "imgs"},
            {"imgs/a/zero.png": bytes_file(b""), "imgs/b/ok.png": _png_small},
        ),
    }


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, rows: Callable[[], bytes]) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows())
        + _png_chunk(b"IEND", b"")
    )


def _png_bomb(path: Path) -> None:
    """A PNG whose header declares 20000×10000 pixels (200 MB decoded) over a tiny first row."""
    path.write_bytes(_png(20000, 10000, lambda: zlib.compress(bytes(20001))))


def _png_small(path: Path) -> None:
    path.write_bytes(_png(8, 8, lambda: zlib.compress(bytes(9 * 8))))
