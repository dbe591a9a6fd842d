"""Counts in the words of training messages ('1 epoch', '2 epochs')."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """'1 epoch', '2 epochs'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
