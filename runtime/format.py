"""How every figure is written, the same in the window, the command line and exported code:
shapes, exact counts, compact counts (multiply-adds, activations) and byte sizes."""

from __future__ import annotations

from blocks import format_shape

__all__ = ["bytes_text", "compact", "count_text", "shape_text"]

shape_text = format_shape
"""'64×56×56' for a shape without the batch dimension."""


PENDING = "…"
"""Shown in place of a figure that is still being computed (torch loading behind the window)."""


def count_text(n: int) -> str:
    """An exact count with thousands separators: '61,706'."""
    return f"{int(n):,}"


def compact(n: float) -> str:
    """A large figure in K, M, G or T with at least three significant digits: '417 K', '4.09 G',
    '12.35 M'; below a thousand, the whole number."""
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= scale:
            value = n / scale
            return f"{value:.2f} {unit}" if abs(value) < 100 else f"{value:.0f} {unit}"
    return f"{n:.0f}"


def bytes_text(n: float) -> str:
    """A size in B, KiB, MiB or GiB: '1.5 MiB'."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"
