"""Loads torch behind the shown window.

Torch takes about two seconds to import on a cold disk, and only analysis, training and the
insight tools need it. The application defers it: the window imports none of it at start and
shows the project at once, with shapes pending; once the window is painted a background thread
imports the shape prober (and with it torch), and `ready` fires on the GUI thread, where the first
analysis runs. Without `defer`, as in scripts and tests, torch is simply imported on first use.
"""

from __future__ import annotations

import importlib
import sys
import threading
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

ENGINE_MODULE = "runtime.shape_probe"
"""What analysis needs first; importing it imports torch."""
WATCH_MS = 20
"""How often the GUI thread looks whether the loading has finished."""


class EngineLoader(QObject):
    """Imports `module` once on a background thread; `ready` fires on the GUI thread (which
    checks every `WATCH_MS` milliseconds whether the thread is done)."""

    ready = Signal()
    """torch has loaded (or failed to: the first analysis then says why, on the GUI thread)."""

    def __init__(self, module: str = ENGINE_MODULE) -> None:
        super().__init__()
        self.module = module
        """The module to import (the shape prober; a test passes a slow stand-in)."""
        self._deferred = False
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._check)

    def defer(self) -> None:
        """Analysis waits for `start` (the app calls this before building its window)."""
        self._deferred = self.module not in sys.modules

    def is_ready(self) -> bool:
        """True when analysis may run now: nothing was deferred, or the loading has finished."""
        return not self._deferred or self._done.is_set()

    def start(self) -> None:
        """Begin loading on a background thread, once; nothing to do unless deferred."""
        if self.is_ready() or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._load, name="load-torch", daemon=True)
        self._watch.start()
        self._thread.start()

    def when_ready(self, then: Callable[[], None]) -> None:
        """Call `then` once analysis may run: now, or on the GUI thread when torch has loaded
        (once; Qt drops the call when `then`'s object is destroyed first)."""
        if self.is_ready():
            then()
        else:
            self.ready.connect(then, Qt.ConnectionType.SingleShotConnection)

    def _load(self) -> None:
        # No Qt call here: emitting from this thread while the GUI thread disconnects a slot of
        # the same signal deadlocks Qt's connection lock against the GIL. The GUI thread's timer
        # sees the event and emits `ready` itself.
        try:
            importlib.import_module(self.module)
        except BaseException:  # noqa: BLE001 - the GUI thread's own import reports it in one line
            pass
        finally:
            self._done.set()

    def _check(self) -> None:
        if self._done.is_set():
            self._watch.stop()
            self.ready.emit()


_LOADER: EngineLoader | None = None


def engine_loader() -> EngineLoader:
    """The process's one loader (created on first use, on the GUI thread)."""
    global _LOADER
    if _LOADER is None:
        _LOADER = EngineLoader()
    return _LOADER
