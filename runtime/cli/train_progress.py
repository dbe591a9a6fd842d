"""What `convstudio train` tells the person on stderr: a live line on a terminal, one line per epoch
in a log."""

from __future__ import annotations

import time
from typing import IO

from runtime.training import EpochMetrics, Finished, Started, StepMetrics
from runtime.training.loop import plural

SMOOTHING = 0.7
"""Weight of the previous estimate in the iteration-time average behind the ETA."""


def clock(seconds: float) -> str:
    """0:07, 12:34, 1:02:03."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def bar(done: int, total: int, width: int = 24) -> str:
    """A text progress bar."""
    filled = min(width, int(width * done / max(1, total)))
    return "[" + "#" * filled + "." * (width - filled) + "]"


class Progress:
    """Turns training events into lines on `out`; `live` rewrites one line (a terminal), otherwise
    only whole lines are written (a file or pipe gets no carriage returns)."""

    def __init__(self, out: IO[str], live: bool) -> None:
        self.out, self.live = out, live
        self.start: Started | None = None
        self.last_report: float | None = None
        self.last_step = 0
        self.step_seconds: float | None = None
        self.epoch_t0 = time.perf_counter()
        self.width = 0

    def started(self, event: Started, name: str) -> None:
        """The header line."""
        self.start = event
        self.last_step = event.start_epoch * event.steps_per_epoch
        self.epoch_t0 = time.perf_counter()
        resumed = f", resuming after epoch {event.start_epoch}" if event.start_epoch else ""
        where = event.device
        if event.processes > 1 or event.global_batch > event.batch_size:
            where += (
                f" × {event.processes} processes (batch {event.batch_size} each, "
                f"{event.global_batch} per update)"
            )
        self._line(
            f"training {name} on {where}: {event.train_size:,} training and "
            f"{event.val_size:,} validation samples, {plural(event.epochs, 'epoch')}{resumed}"
        )

    def eta(self, step: int) -> float | None:
        """Seconds left, from the smoothed time per iteration measured so far (setup excluded)."""
        if self.step_seconds is None or self.start is None:
            return None
        total = self.start.epochs * self.start.steps_per_epoch
        return self.step_seconds * max(0, total - step)

    def step(self, event: StepMetrics) -> None:
        """Measure the pace; on a terminal, redraw the live line."""
        now = time.perf_counter()
        steps = event.step - self.last_step
        if steps > 0:
            if self.last_report is not None:
                pace = (now - self.last_report) / steps
            else:  # first report: its own window's speed, which excludes loading and building
                pace = self.start.batch_size / max(event.samples_per_s, 1e-9) if self.start else 0.0
            self.step_seconds = (
                pace
                if self.step_seconds is None
                else SMOOTHING * self.step_seconds + (1 - SMOOTHING) * pace
            )
        self.last_report, self.last_step = now, event.step
        if not self.live or self.start is None:
            return
        per_epoch = self.start.steps_per_epoch
        in_epoch = event.step - event.epoch * per_epoch
        eta = self.eta(event.step)
        left = clock(eta) if eta is not None else "--:--"
        text = (
            f"epoch {event.epoch + 1}/{self.start.epochs} {bar(in_epoch, per_epoch)} iteration "
            f"{in_epoch:,}/{per_epoch:,}  loss {event.loss:.4f}  acc {event.accuracy:.1%}  "
            f"{event.samples_per_s:,.0f} samples/s  ETA {left}"
        )
        self.out.write("\r" + text.ljust(self.width))
        self.width = len(text)
        self.out.flush()

    def epoch(self, event: EpochMetrics) -> None:
        """One line per epoch."""
        total = self.start.epochs if self.start else event.epoch
        took = time.perf_counter() - self.epoch_t0
        self.epoch_t0 = time.perf_counter()
        eta = self.eta(event.step)
        left = f", about {clock(eta)} left" if eta is not None and event.epoch < total else ""
        best = " (best)" if event.best else ""
        score = f"val accuracy {event.val_accuracy:.2%}"
        if event.miou is not None:
            score = f"val mIoU {event.miou:.2%}, pixel accuracy {event.val_accuracy:.2%}"
        self._line(
            f"epoch {event.epoch}/{total}: train loss {event.train_loss:.4f}, val loss "
            f"{event.val_loss:.4f}, {score}{best}"
            f"; took {clock(took)}{left}"
        )

    def message(self, text: str) -> None:
        """A whole line (a warning, a note)."""
        self._line(text)

    def finished(self, event: Finished) -> None:
        """Clear the live line."""
        if self.live and self.width:
            self.out.write("\r" + " " * self.width + "\r")
            self.width = 0
            self.out.flush()

    def _line(self, text: str) -> None:
        """Write a complete line, first clearing a live one (text that cannot be encoded, such as a
        lone surrogate in a project name, is written as an escape)."""
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        if self.live and self.width:
            self.out.write("\r" + " " * self.width + "\r")
            self.width = 0
        self.out.write(text + "\n")
        self.out.flush()
