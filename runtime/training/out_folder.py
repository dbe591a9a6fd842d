"""A run's output folder: checked, created, and locked so that one run at a time writes into it."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from runtime.errors import ConvStudioError

try:
    import fcntl
except ImportError:  # Windows: an exclusively created lock file stands in for flock
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".convstudio-run.lock"
_STALE_TEMP = re.compile(r"\.(?:(?:last|best)[-.]|summary\.json\.|metrics\.jsonl\.).*\.tmp")
"""Temporary files an interrupted run of ours may have left (never anything else in the folder)."""
_held: dict[str, list] = {}
"""Folders this process holds: real path -> [file descriptor, depth]; nested holds are counted."""


class OutputFolderError(ConvStudioError):
    """An output folder that cannot be used: not a folder, not writable, or in use by another
    run."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path}: {message}")


def make_folder(path: str | Path) -> Path:
    """Create `path` (and parents) as a folder we can write into; OutputFolderError says why not."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise OutputFolderError(
            path, "lies under a file, not a folder: choose a folder for the run's outputs"
        ) from None
    except OSError as exc:
        raise OutputFolderError(
            path, f"cannot be used as the output folder: {exc.strerror or exc}"
        ) from None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        kind = "a file" if stat.S_ISREG(info.st_mode) else "a device, pipe or socket"
        raise OutputFolderError(
            path, f"is {kind}, not a folder: choose a folder for the run's outputs"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFolderError(path, f"cannot be created: {exc.strerror or exc}") from None
    return path


def _holder(lock: Path) -> str:
    """Who holds a lock, from what it wrote into the lock file."""
    try:
        info = json.loads(lock.read_text(encoding="utf-8"))
        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(info["started"])))
        return (
            f"process {int(info['pid'])} on {str(info['host'])[:60]}, started {started}: "
            f"{str(info['what'])[:120]}"
        )
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        return "another process"


def _same_file(fd: int, path: Path) -> bool:
    """Whether `fd` is still the file at `path` (a finishing run removes its lock file)."""
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _acquire(folder: Path, what: str) -> int:
    """Open and lock the folder's lock file; OutputFolderError names the holder when it is taken."""
    lock = folder / LOCK_NAME
    for _ in range(5):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | (0 if fcntl else os.O_EXCL), 0o644)
        except FileExistsError:
            break
        except OSError as exc:
            raise OutputFolderError(folder, f"cannot be written: {exc.strerror or exc}") from None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                break
            if not _same_file(fd, lock):  # removed between our open and our lock: lock anew
                os.close(fd)
                continue
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.time(),
            "what": what,
        }
        try:
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(record).encode("utf-8"))
        except OSError as exc:
            os.close(fd)
            raise OutputFolderError(folder, f"cannot be written: {exc.strerror or exc}") from None
        return fd
    raise OutputFolderError(
        folder,
        f"is in use by another training run ({_holder(lock)}); wait for it "
        "to finish or choose another output folder",
    )


def _remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files a killed run of ours left behind (we hold the lock: nobody is
    writing)."""
    for entry in os.scandir(folder):
        if _STALE_TEMP.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


@contextlib.contextmanager
def locked_folder(path: str | Path, what: str) -> Iterator[Path]:
    """Create and lock the output folder for the duration of the block (nested use in one process is
    fine); a second run, in this or another process, gets OutputFolderError naming the first. A
    folder
    created here and still empty at the end is removed again."""
    created = not os.path.lexists(path)
    folder = make_folder(path)
    key = os.path.realpath(folder)
    if key in _held:
        _held[key][1] += 1
    else:
        _held[key] = [_acquire(folder, what), 1]
        _remove_stale_temporaries(folder)
    try:
        yield folder
    finally:
        _held[key][1] -= 1
        if _held[key][1] == 0:
            fd = _held.pop(key)[0]
            with contextlib.suppress(OSError):
                os.unlink(folder / LOCK_NAME)  # while still locked: nobody can hold this file now
            os.close(fd)
            if created:  # a run refused before writing anything leaves no empty folder behind
                with contextlib.suppress(OSError):
                    os.rmdir(folder)
