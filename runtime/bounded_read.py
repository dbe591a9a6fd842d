"""Reading files from users without trusting them: regular files only, never past a limit.

A FIFO would block `open` forever and `/dev/zero` never ends, so the file type is checked on the
open descriptor (opened non-blocking) before a single byte is read, and reading stops one byte past
the limit, which is enough to know the file is too large.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

from runtime.errors import ConvStudioError

ErrorFactory = Callable[[Path, str], ConvStudioError]
"""Builds the typed error (naming the file) that a caller raises for a refused file."""

_CHUNK = 1 << 20


def describe_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: Path, error: ErrorFactory) -> int:
    """A read-only descriptor on `path`, checked to be a regular file (symlinks followed)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(path, "does not exist") from None
    except IsADirectoryError:
        raise error(path, "is a folder, not a file") from None
    except OSError as exc:
        raise error(path, f"cannot be read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = describe_kind(mode)
            raise error(
                path, f"is {kind}, not a regular file" if kind.startswith("a ") else f"is {kind}"
            )
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_limited(path: str | Path, limit: int, error: ErrorFactory, what: str = "files") -> bytes:
    """The bytes of the regular file at `path`; refused when it holds more than `limit` bytes."""
    path = Path(path)
    fd = open_regular(path, error)
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            try:
                chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            except OSError as exc:
                raise error(path, f"cannot be read: {exc.strerror or exc}") from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise error(path, f"is larger than {format_bytes(limit)}; {what} are at most that size")
    return b"".join(chunks)


def format_bytes(count: int) -> str:
    """A byte count for people: 64 MiB, 1.5 GiB, 512 bytes."""
    value = float(count)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} {unit}" if value == int(value) else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} bytes"
