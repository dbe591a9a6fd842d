"""Opens a data set and draws its sample in a background thread, reporting scan progress."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from blocks.lazy import lazy
from runtime.data.settings import DataSettings
from runtime.errors import ConvStudioError

segmentation_sample = lazy("runtime.segmentation.sample")

data_sample = lazy("runtime.data.sample")

_JOBS: list["SampleJob"] = []
"""Every job started and not yet pruned; kept so that no job is collected while its thread runs
(pruned from the window's thread only)."""


def running_jobs() -> list["SampleJob"]:
    """Draws still in progress (finished ones are forgotten here)."""
    _JOBS[:] = [job for job in _JOBS if job.is_running()]
    return list(_JOBS)


class SampleJob(QObject):
    """One draw in a Python thread; its signals reach the panel through Qt's queued connections."""

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
        task: str = "classification",
    ) -> None:
        super().__init__()
        self.request, self.settings, self.task = request, settings, task
        self.input_shape, self.seed = input_shape, seed
        self._thread = threading.Thread(target=self._run, name="convstudio-data-draw", daemon=True)

    def start(self) -> None:
        """Begin drawing."""
        running_jobs()
        _JOBS.append(self)
        self._thread.start()

    def is_running(self) -> bool:
        """Whether the draw is still in progress."""
        return self._thread.is_alive()

    def wait(self, milliseconds: int) -> None:
        """Block until the draw ends or the time is up."""
        self._thread.join(milliseconds / 1000)

    def _run(self) -> None:
        """Draw the sample; every data problem becomes one line."""
        try:
            if self.task == "segmentation":
                sample = segmentation_sample.draw_segmentation_sample(
                    self.settings, self.input_shape, seed=self.seed
                )
                self.finished_sample.emit(self.request, sample)
                return
            sample = data_sample.draw_sample(
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
