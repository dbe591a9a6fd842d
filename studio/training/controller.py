"""Runs training in a separate 'spawn' process and hands its events to the panels at most ~30 times
a second."""

from __future__ import annotations

import multiprocessing as mp
import queue
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from blocks.lazy import lazy
from runtime.project import Project
from runtime.runs.recorder import RunRecorder
from runtime.training.events import Finished
from runtime.training.wait_policy import passive_when_busy

training_worker = lazy("runtime.training.worker")

FRAME_MS = 33


class TrainingController(QObject):
    """Start, pause, resume and stop one training process; `events` carries batches of its
    events."""

    events = Signal(list)
    """A list of runtime.training events, emitted at most once per frame."""
    state_changed = Signal(str)
    """'idle', 'running', 'paused' or 'stopping'."""
    head_mismatch = Signal(object)
    """The Finished event of a run refused because the head does not match the data (`head_fix`
    set)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = mp.get_context("spawn")
        self._process: Any = None
        self._queue: Any = None
        self._stop = self._pause = self._probe = None
        self.processes = 1
        self._stop_sent_at = 0.0
        self.state = "idle"
        self.out_dir: Path | None = None
        self.project: Project | None = None
        self.last_checkpoint: str | None = None
        self.run_folder: Path | None = None
        """The run folder of the current or last run, when it is recorded."""
        self._probe_name = ""
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._drain)

    def start(
        self,
        project: Project,
        runs: Path | None = None,
        resume: str | None = None,
        resumed_from: str | None = None,
        **overrides: Any,
    ) -> None:
        """Copy the project and train the copy in a new process (edits made afterwards do not affect
        it).

        With `runs` (a runs folder) the run is recorded there and its checkpoints live in its run
        folder; `resume` continues from a checkpoint of an earlier run (`resumed_from`, its id)."""
        if self.state != "idle":
            return
        self.project = project.copy()
        self.processes = int(overrides.get("processes", 1))
        self.run_folder = None
        if runs is not None:
            recorder = RunRecorder.start(
                self.project, runs, "window", resumed_from=resumed_from, overrides=overrides
            )
            self.run_folder = self.out_dir = recorder.folder
        else:
            self.out_dir = Path(tempfile.mkdtemp(prefix="convstudio-run-"))
        self._queue = self._ctx.Queue()
        self._stop, self._pause = self._ctx.Event(), self._ctx.Event()
        self._probe = self._ctx.Array("c", 256)
        self._probe.value = self._probe_name.encode("utf-8")[:255]
        doc = self.project.to_dict()
        path = str(project.path) if project.path else None
        self._process = self._ctx.Process(
            target=training_worker.run_training,
            name="convstudio-training",
            daemon=False,  # may start loader workers
            args=(
                doc,
                path,
                str(self.out_dir),
                self._stop,
                self._pause,
                self._probe,
                self._queue,
                overrides,
                self.run_folder is not None,
                resume,
            ),
        )
        with passive_when_busy():  # read by the new process's OpenMP when it starts
            self._process.start()
        self.last_checkpoint = None
        self._set_state("running")
        self._timer.start()

    def pause(self) -> None:
        """Hold the run between iterations (not a run of several processes: its peers would
        time out waiting)."""
        if self.state == "running" and self.processes == 1:
            self._pause.set()
            self._set_state("paused")

    def resume(self) -> None:
        """Continue a paused run."""
        if self.state == "paused":
            self._pause.clear()
            self._set_state("running")

    def stop(self) -> None:
        """Ask the run to stop; it ends within a second (the process is terminated if it does
        not)."""
        if self.state in ("running", "paused"):
            self._stop.set()
            self._pause.clear()
            self._stop_sent_at = time.monotonic()
            self._set_state("stopping")

    def set_probe_layer(self, name: str) -> None:
        """The layer whose feature maps the run should send."""
        self._probe_name = name
        if self._probe is not None:
            self._probe.value = name.encode("utf-8")[:255]

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    def _drain(self) -> None:
        """Take every queued event (bounded per frame so the window stays responsive) and forward
        them."""
        batch, deadline = [], time.perf_counter() + 0.008
        while time.perf_counter() < deadline:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if batch:
            self.events.emit(batch)
        finished = [e for e in batch if isinstance(e, Finished)]
        if finished:
            self.last_checkpoint = finished[-1].checkpoint
            self._finish()
            if finished[-1].head_fix is not None:
                self.head_mismatch.emit(finished[-1])
        elif not self._process.is_alive() and self._queue.empty():
            code = self._process.exitcode
            self.events.emit(
                [
                    Finished(
                        "failed",
                        f"the training process ended unexpectedly (exit code {code}); "
                        "the editor and your project are unaffected",
                        0,
                        0,
                    )
                ]
            )
            self._finish()
        elif self.state == "stopping" and time.monotonic() - self._stop_sent_at > 2.0:
            self._process.terminate()

    def _finish(self) -> None:
        """Go idle at once; the ended process is reaped later without blocking the window."""
        self._timer.stop()
        process = self._process
        self._set_state("idle")
        QTimer.singleShot(3000, lambda: _reap(process))

    def shutdown(self) -> None:
        """Stop any run and wait for its process (window closing)."""
        if self._process is not None and self._process.is_alive():
            self._stop.set()
            self._pause.clear()
            self._process.join(timeout=1.5)
            if self._process.is_alive():
                self._process.terminate()
        self._timer.stop()


def _reap(process: Any) -> None:
    """Terminate a finished run's process if it is still shutting down, and collect its exit
    status."""
    if process.is_alive():
        process.terminate()
    process.join(timeout=0.5)
