"""Opens a data set and draws its sample in a background thread, reporting scan progress."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QThread, Signal

from runtime.data.sample import draw_sample
from runtime.data.settings import DataSettings
from runtime.errors import ConvStudioError


class SampleJob(QThread):
    """One draw; the result or the error comes back on a signal tagged with the request number."""

    progress = Signal(int, int, str)
    """(request, files found so far, what is being scanned)."""
    finished_sample = Signal(int, object)
    """(request, DataSample)."""
    failed = Signal(int, str)
    """(request, one-line reason)."""

    def __init__(
        self,
        request: int,
        settings: DataSettings,
        input_shape: tuple[int, int, int],
        seed: int,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.request, self.settings, self.input_shape, self.seed = (
            request,
            settings,
            input_shape,
            seed,
        )

    def run(self) -> None:
        """Draw the sample; every data problem becomes one line."""
        try:
            sample = draw_sample(
                self.settings,
                self.input_shape,
                seed=self.seed,
                progress=lambda n, what: self.progress.emit(self.request, n, what),
            )
        except ConvStudioError as exc:
            self.failed.emit(self.request, str(exc))
            return
        except (OSError, ValueError, MemoryError) as exc:
            self.failed.emit(self.request, f"the data set cannot be read: {exc}")
            return
        self.finished_sample.emit(self.request, sample)
