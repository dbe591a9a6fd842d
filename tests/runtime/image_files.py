"""Small image files generated with Pillow for the data tests (varied sizes, modes, formats,
damage)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

FORMATS = ("png", "jpg", "bmp", "webp", "tiff")
MODES = ("RGB", "L", "RGBA", "P")


def write_image(path: Path, size: tuple[int, int], value: int, mode: str = "RGB") -> Path:
    """A w×h image of roughly grey level `value` (noise added) in `mode`, format from the suffix."""
    rng = np.random.default_rng(abs(hash(path.name)) % 2**32)
    w, h = size
    pixels = np.clip(rng.normal(value, 12, (h, w, 3)), 0, 255).astype(np.uint8)
    img = Image.fromarray(pixels)
    if mode == "P":
        img = img.convert("P")
    elif mode != "RGB":
        img = img.convert(mode)
    if path.suffix in (".jpg", ".jpeg", ".bmp") and img.mode in ("RGBA", "P"):
        img = img.convert("RGB")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def class_folder(root: Path, classes: dict[str, int], per_class: int, nested: bool = False) -> Path:
    """root/<class>/[deeper/]i.<fmt>: every format, mode and a spread of sizes; class c has grey
    level c."""
    for c, (name, value) in enumerate(classes.items()):
        for i in range(per_class):
            fmt, mode = FORMATS[i % len(FORMATS)], MODES[(i + c) % len(MODES)]
            size = (16 + (i * 7) % 40, 12 + (i * 11) % 50)
            sub = root / name / (f"batch{i % 2}" if nested else "")
            write_image(sub / f"{name}_{i}.{fmt}", size, value, mode)
    return root


def huge_png(path: Path, w: int = 20000, h: int = 10000) -> Path:
    """A tiny PNG whose header declares w×h pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    return path


def damaged_files(folder: Path) -> list[Path]:
    """A corrupt, a truncated, a zero-byte and a huge-dimension file in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    corrupt = folder / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\nthis is not really a png")
    truncated = write_image(folder / "truncated.jpg", (64, 64), 100)
    truncated.write_bytes(truncated.read_bytes()[:200])
    empty = folder / "empty.png"
    empty.write_bytes(b"")
    return [corrupt, truncated, empty, huge_png(folder / "huge.png")]
