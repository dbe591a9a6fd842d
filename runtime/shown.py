"""Values quoted in error messages, clipped so that one hostile value cannot flood the line."""

from __future__ import annotations

from typing import Any

LIMIT = 60


def shown(value: Any, limit: int = LIMIT) -> str:
    """`repr(value)`, or its start and end around '…' when longer than `limit` characters."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"a {len(str(abs(value)))}-digit number"
    text = repr(value)
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return f"{text[:head]}…{text[-(limit - 1 - head) :]}"
