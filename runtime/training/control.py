"""Pause, resume, stop and the probed layer, shared between a run and whoever watches it."""

from __future__ import annotations

import threading
from typing import Any


class _Text:
    """A settable string holder with the `.value` (bytes) interface of
    multiprocessing.Array('c')."""

    def __init__(self) -> None:
        self.value = b""


class Control:
    """Flags a training loop checks between iterations; pass multiprocessing objects to share across
    processes."""

    def __init__(self, stop: Any = None, pause: Any = None, probe: Any = None) -> None:
        self.stop_flag = stop if stop is not None else threading.Event()
        self.pause_flag = pause if pause is not None else threading.Event()
        self.probe = probe if probe is not None else _Text()

    def request_stop(self) -> None:
        """Ask the run to stop after the current iteration."""
        self.stop_flag.set()

    def pause(self) -> None:
        """Hold the run between iterations."""
        self.pause_flag.set()

    def resume(self) -> None:
        """Continue a paused run."""
        self.pause_flag.clear()

    @property
    def stopping(self) -> bool:
        """Whether a stop was requested."""
        return self.stop_flag.is_set()

    @property
    def paused(self) -> bool:
        """Whether the run is asked to hold."""
        return self.pause_flag.is_set()

    def set_probe_layer(self, name: str) -> None:
        """The layer whose feature maps are wanted ('' for the default)."""
        self.probe.value = name.encode("utf-8")[:255]

    def probe_layer(self) -> str:
        """The requested layer name, '' when none."""
        return bytes(self.probe.value).decode("utf-8", errors="replace")

    def wait_while_paused(self) -> None:
        """Block while paused, waking at least every 50 ms to notice a stop."""
        while self.paused and not self.stopping:
            self.stop_flag.wait(0.05)
