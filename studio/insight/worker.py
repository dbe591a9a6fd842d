"""Runs insight computations on one background thread, newest request of each kind first."""

from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from runtime.errors import ConvStudioError


class Cancelled(Exception):
    """A job was superseded by a newer one of the same kind."""


class InsightWorker(QObject):
    """Queue `submit(kind, fn)`: fn runs off the UI thread; `done(kind, result)` or `failed(kind,
    line)` follow.

    A new job of a kind replaces a queued one of that kind, and a running one sees `cancelled()`
    turn
    true, so dragging a slider never piles up work."""

    done = Signal(str, object)
    failed = Signal(str, str)
    busy = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Condition()
        self._queue: dict[str, tuple[int, Callable[[Callable[[], bool]], Any]]] = {}
        self._latest: dict[str, int] = {}
        self._serial = 0
        self._stopping = False
        self._thread: threading.Thread | None = None

    def submit(self, kind: str, job: Callable[[Callable[[], bool]], Any]) -> None:
        """Run `job(cancelled)` soon; `cancelled()` is true once a newer job of `kind` is
        submitted."""
        with self._lock:
            self._serial += 1
            self._latest[kind] = self._serial
            self._queue[kind] = (self._serial, job)
            self._lock.notify()
        if (
            self._thread is None
        ):  # started on first use; a daemon, so it never holds the application open
            self._thread = threading.Thread(
                target=self._loop, name="convstudio-insight", daemon=True
            )
            self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._stopping:
                    self._lock.wait()
                if self._stopping:
                    return
                kind = next(iter(self._queue))
                serial, job = self._queue.pop(kind)
            self.busy.emit(True)

            def cancelled(kind: str = kind, serial: int = serial) -> bool:
                return self._stopping or self._latest.get(kind) != serial

            try:
                result = job(cancelled)
                if not cancelled():
                    self.done.emit(kind, result)
            except Cancelled:
                pass
            except ConvStudioError as exc:
                self.failed.emit(kind, str(exc))
            except Exception as exc:  # noqa: BLE001 - a failed computation is reported, the window lives on
                last = traceback.format_exception_only(type(exc), exc)[-1].strip()
                self.failed.emit(kind, f"{kind} failed: {last}")
            finally:
                with self._lock:
                    idle = not self._queue
                if idle:
                    self.busy.emit(False)

    def shutdown(self) -> None:
        """Stop after the running job (window closing)."""
        with self._lock:
            self._stopping = True
            self._lock.notify()
        if self._thread is not None:
            self._thread.join(5.0)
