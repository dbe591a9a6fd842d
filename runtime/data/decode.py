"""Decoding one image file safely: bounded size, typed errors, JPEG draft mode, optional
simplejpeg."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PIL import Image, UnidentifiedImageError

from runtime.data.errors import DataError

EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})
MAX_PIXELS = 89_478_485
"""Pillow's own limit; larger images are refused as decompression bombs rather than decoded."""

try:  # optional faster JPEG decoder (libjpeg-turbo with fast DCT and upsampling)
    import simplejpeg as _simplejpeg
except ImportError:  # pragma: no cover - depends on the environment
    _simplejpeg = None


class BadImage(DataError):
    """A file that is not a readable image of acceptable size."""


def faster_decoder() -> str:
    """The name of the JPEG decoder in use."""
    return "simplejpeg" if _simplejpeg is not None else "Pillow"


def _check_size(img: Image.Image, where: Any) -> None:
    """Refuse decompression bombs before their pixels are decoded."""
    w, h = img.size
    if w <= 0 or h <= 0 or w * h > MAX_PIXELS:
        raise BadImage(
            where,
            f"is {w}×{h} pixels, more than the {MAX_PIXELS:,} this app decodes "
            "(a decompression bomb or a scan far too large)",
        )


def _finish(img: Image.Image, mode: str, where: Any) -> Image.Image:
    """Load and convert to `mode`, turning every decoder failure into BadImage."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        img.load()
    if img.mode == mode:
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        base = Image.new("RGBA", img.size, (255, 255, 255, 255))  # transparent → white, not black
        img = Image.alpha_composite(base, img.convert("RGBA"))
    elif img.mode == "F":  # floating point: 0–1 scaled to bytes, anything else clipped
        values = np.asarray(img, dtype=np.float32)
        scale = 255.0 if np.nanmax(values, initial=0.0) <= 1.0 else 1.0
        img = Image.fromarray(np.clip(np.nan_to_num(values) * scale, 0, 255).astype(np.uint8))
    elif img.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit: keep the high byte
        img = img.point(lambda v: v / 256).convert("L")
    return img.convert(mode)


Draft = Callable[[tuple[int, int]], "tuple[int, int] | None"]
"""Given the stored (w, h), the smallest (w, h) the decoder may shrink to (None: full size)."""


def open_image(
    source: str | Path | bytes,
    mode: str,
    draft: Draft | None = None,
    fast: bool = True,
    where: Any = None,
) -> tuple[Image.Image, tuple[int, int]]:
    """The decoded image in `mode` ('RGB' or 'L') and its stored (w, h), or BadImage naming the
    file.

    `draft` lets JPEG decoding shrink by 2, 4 or 8 where the result stays large enough; `fast`
    allows simplejpeg (fast DCT and upsampling) when it is installed."""
    decoded, size = _decode(source, mode, draft, fast, where)
    return (Image.fromarray(decoded) if isinstance(decoded, np.ndarray) else decoded), size


def decode_pixels(
    source: str | Path | bytes,
    mode: str,
    draft: Draft | None = None,
    fast: bool = True,
    where: Any = None,
) -> tuple[np.ndarray, tuple[int, int]]:
    """open_image's result as a writable uint8 array, (H, W, 3) for 'RGB' or (H, W) for 'L'.

    simplejpeg's output is returned as it is, without passing through a PIL image."""
    decoded, size = _decode(source, mode, draft, fast, where)
    return (decoded if isinstance(decoded, np.ndarray) else np.array(decoded)), size


def _decode(
    source: str | Path | bytes, mode: str, draft: Draft | None, fast: bool, where: Any
) -> tuple[Image.Image | np.ndarray, tuple[int, int]]:
    """Decode with simplejpeg (an array) where allowed and able, else with Pillow (an image)."""
    where = where if where is not None else (None if isinstance(source, bytes) else source)
    try:
        data = source if isinstance(source, bytes) else None
        if fast and _simplejpeg is not None:
            if data is None and str(source).lower().endswith((".jpg", ".jpeg")):
                data = Path(source).read_bytes()
            if data is not None and data[:3] == b"\xff\xd8\xff":
                decoded = _simple(data, mode, draft, where)
                if decoded is not None:
                    return decoded
        with Image.open(io.BytesIO(data) if data is not None else source) as img:
            _check_size(img, where)
            size = img.size
            target = draft(size) if draft is not None else None
            if target is not None and img.format == "JPEG":
                img.draft(mode, target)
            return _finish(img, mode, where), size
    except BadImage:
        raise
    except Image.DecompressionBombError as exc:
        raise BadImage(where, f"is a decompression bomb ({short_reason(exc)})") from None
    except (
        UnidentifiedImageError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        MemoryError,
        IndexError,
        TypeError,
    ) as exc:
        reason = short_reason(exc)
        raise BadImage(where, f"is not a readable image ({reason})") from None


def _simple(
    data: bytes, mode: str, draft: Draft | None, where: Any
) -> tuple[np.ndarray, tuple[int, int]] | None:
    """Decode a JPEG with simplejpeg (None when it cannot handle the file; Pillow then tries)."""
    try:
        h, w, _, _ = _simplejpeg.decode_jpeg_header(data)  # height first
    except ValueError:
        return None
    if w <= 0 or h <= 0 or w * h > MAX_PIXELS:
        raise BadImage(
            where,
            f"is {w}×{h} pixels, more than the {MAX_PIXELS:,} this app decodes "
            "(a decompression bomb or a scan far too large)",
        )
    kwargs: dict[str, Any] = {"fastdct": True, "fastupsample": True}
    target = draft((w, h)) if draft is not None else None
    if target is not None:
        # only the 1/2, 1/4 and 1/8 scales, as with Pillow: libjpeg-turbo's other M/8 scales
        # decode more slowly than full size
        kwargs.update(min_width=target[0], min_height=target[1], min_factor=2)
    try:
        pixels = _simplejpeg.decode_jpeg(
            data, colorspace="GRAY" if mode == "L" else "RGB", **kwargs
        )
    except ValueError:
        return None
    return (np.ascontiguousarray(pixels[..., 0]) if mode == "L" else pixels), (w, h)


def short_reason(exc: BaseException) -> str:
    """A short reason a file cannot be read, without the file name Pillow repeats."""
    if isinstance(exc, UnidentifiedImageError):
        return "not a format Pillow recognises"
    text = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return text or "empty file"
