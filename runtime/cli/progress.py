"""Progress of long data scans on stderr: one rewritten line on a terminal, a line every few seconds
otherwise."""

from __future__ import annotations

import sys
import time
from typing import IO


class ScanProgress:
    """A callable (count, what) for runtime.data scans."""

    def __init__(self, out: IO[str] | None = None, every: float = 0.25) -> None:
        self.out = out or sys.stderr
        self.tty = self.out.isatty()
        self.every = every if self.tty else 5.0
        self.next = time.monotonic() + (0.5 if self.tty else 5.0)
        self.shown = False

    def __call__(self, count: int, what: str) -> None:
        """Report `count` files found while scanning `what` (throttled)."""
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + self.every
        line = f"{count:,} … {what}"[:110]
        self.out.write(f"\r{line:<110}" if self.tty else line + "\n")
        self.out.flush()
        self.shown = True

    def done(self) -> None:
        """Clear the progress line."""
        if self.shown and self.tty:
            self.out.write("\r" + " " * 110 + "\r")
            self.out.flush()
