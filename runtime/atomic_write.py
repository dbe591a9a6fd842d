"""Replace a file so that readers (and a crash at any instant) see the old or the new file, never
half.

The data goes to a temporary file in the target's own folder, is fsynced, renamed over the target
and
the folder is fsynced. Symbolic links are followed (the real file is updated, the link kept), only
regular files are replaced, an existing file keeps its permission bits and a new one gets the usual
mode from the umask.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from runtime.errors import WriteError

CHUNK = 1 << 26
"""Bytes handed to one os.write call."""


def write_atomic(target: str | Path, data: str | bytes) -> Path:
    """Replace `target` with `data` (text is written as UTF-8); returns the path actually written.

    Raises WriteError naming `target` when it cannot be written; the old file is then untouched."""
    try:
        payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    except UnicodeEncodeError as exc:
        bad = f"U+{ord(exc.object[exc.start]):04X}"
        raise WriteError(
            target,
            f"cannot be written: the text holds a lone surrogate ({bad}), which UTF-8 cannot store",
        ) from None
    with atomic_path(target) as tmp:
        fd = os.open(tmp, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        try:
            _write_all(fd, payload)
        finally:
            os.close(fd)
    return real_target(target)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path beside `target` to write into; on a clean exit it replaces `target`.

    For writers that insist on a file name (ONNX, images). On an exception the temporary file is
    removed and `target` is untouched; OSError becomes WriteError naming `target`."""
    shown = Path(target)
    real = real_target(shown)
    tmp: str | None = None
    try:
        existing = _existing_mode(real, shown)
        real.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name[:80]}.", suffix=".tmp", dir=real.parent)
        os.close(fd)
        yield Path(tmp)
        _fsync_path(tmp)
        if existing is not None:
            existing = _existing_mode(real, shown)  # it may have changed meanwhile
        # set last: an existing read-only file gives a read-only mode we could not write through
        os.chmod(tmp, existing if existing is not None else new_file_mode())
        os.replace(tmp, real)
        tmp = None
        fsync_folder(real.parent)
    except OSError as exc:
        raise WriteError(shown, f"cannot be written: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def check_target(target: str | Path) -> None:
    """Refuse now a target that could never be replaced (a folder, device, pipe or socket), so a
    slow writer does not run first only to fail at the end; WriteError names `target`."""
    shown = Path(target)
    try:
        _existing_mode(real_target(shown), shown)
    except OSError as exc:
        raise WriteError(shown, f"cannot be written: {exc.strerror or exc}") from None


def real_target(target: str | Path) -> Path:
    """The file a write to `target` must replace: symbolic links resolved, even dangling ones."""
    return Path(os.path.realpath(target))


def _existing_mode(real: Path, shown: Path) -> int | None:
    """The permission bits of the file at `real` (None when there is none); WriteError if not a
    file."""
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
        raise WriteError(shown, f"is {kind}, not a regular file: choose a file path to write to")
    return stat.S_IMODE(info.st_mode)


def new_file_mode() -> int:
    """0o666 less the process umask: the mode `open()` would give a new file."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: read the umask by setting it (and put it straight back)
    os.umask(mask)
    return 0o666 & ~mask


def _write_all(fd: int, payload: bytes) -> None:
    """os.write until every byte is written (a short write is not an error)."""
    view = memoryview(payload)
    while view:
        written = os.write(fd, view[:CHUNK])
        view = view[written:]


def _fsync_path(path: str) -> None:
    """Flush a written file to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: str | Path) -> None:
    """Make a rename or removal in `folder` durable (a no-op where folders cannot be opened)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return  # e.g. Windows: folders cannot be opened, and renames there are durable anyway
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (22, 95):  # EINVAL/ENOTSUP: the file system does not sync folders
            raise
    finally:
        os.close(fd)
