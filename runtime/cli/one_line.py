"""Messages made safe to print as exactly one line on any terminal."""

from __future__ import annotations

MAX_CHARS = 2000


def one_line(text: str, limit: int = MAX_CHARS) -> str:
    """`text` with line breaks, control characters, lone surrogates escaped; clipped to `limit`."""
    out = "".join(
        ch
        if ch.isprintable() or ch == " "
        else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
        for ch in text
    )
    return out if len(out) <= limit else out[: limit - 1] + "…"
