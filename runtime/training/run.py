"""The epoch and step loop of one run: iterations in windows of `log_every`, epochs ending in
validation and checkpoints, as a generator of events."""

from __future__ import annotations

import itertools
import time
from collections.abc import Generator, Iterable, Iterator

import torch

from runtime.training.events import EpochMetrics, Event, RunWarning, StepMetrics
from runtime.training.run_checkpoint import RunCheckpoints
from runtime.training.run_exchange import epoch_seed, exchange_epoch, exchange_window
from runtime.training.run_probes import RunProbes
from runtime.training.run_segmentation import RunSegmentation, epoch_iou
from runtime.training.run_validation import RunValidation

POLL_SECONDS = 0.02
"""The pause/stop flags are read at least this often (and after every event), not every
iteration."""


class Run(RunProbes, RunValidation, RunCheckpoints, RunSegmentation):
    """One run: its state with the steps, probes, validation, checkpoints and segmentation sample,
    driven epoch by epoch (`epoch_events`)."""

    def train_events(
        self, batches: Iterable[tuple[torch.Tensor, torch.Tensor]]
    ) -> Generator[Event, None, bool]:
        """Train on `batches`, reporting every log_every iterations and probing; False when stopped
        early.

        Per iteration this costs one clock read beyond the training step itself: the control flags
        are read every POLL_SECONDS and right after every event (whoever consumed it may have paused
        or stopped), metrics stay in the tally until a report reads them."""
        control, log_every = self.control, self.s.settings.log_every
        seen, tick = 0, time.perf_counter()
        t0, next_poll = tick, 0.0
        for i, (x, y) in enumerate(batches, start=1):
            now = time.perf_counter()
            if now >= next_poll:
                control.wait_while_paused()
                if self.stopping():
                    return False
                next_poll = now + POLL_SECONDS
            self.train_step(x, y)
            self.epoch_step += 1
            seen += len(y)
            if i % log_every == 0:
                now = time.perf_counter()
                yield self._step_metrics(seen, now - tick, now - t0)
                seen, tick, next_poll = 0, time.perf_counter(), 0.0
            if now >= self.next_probe:
                yield from self.probe_events(now)
                next_poll = 0.0
        return True

    def epoch_events(self) -> Iterator[Event]:
        """Train one epoch (its remaining batches after a mid-epoch resume), then validate (nothing
        more when a stop cut the epoch short)."""
        self.finetune.before_epoch(self.epoch)
        self.epoch_loss = self.epoch_correct = self.epoch_counted = 0.0
        self.tally.reset()
        self.micro = 0
        if self.world is not None:  # the order follows (seed, epoch): any process count resumes
            self.gen.manual_seed(epoch_seed(self.s.settings.seed, self.world.rank, self.epoch))
        self.epoch_rng = self.gen.get_state()
        st = self.s.settings
        batches = self.s.data.train_batches(st.batch_size, self.gen, self.epoch)
        skip, self.skip = self.skip, 0
        self.epoch_step = skip
        whole = self.s.data.steps_per_epoch(st.batch_size) // st.accumulate * st.accumulate
        if skip or st.accumulate > 1:  # an accumulation left unfinished at the end is not drawn
            batches = itertools.islice(batches, skip, whole)  # drawn as before: the same order
        if (yield from self.train_events(batches)):
            self._read_window()
            yield self._epoch_metrics(self.epoch_step - skip)
            if self.s.segmentation:
                yield self.segmentation_sample()
        for message in self.s.data.drain_warnings():
            yield RunWarning(message)

    def _read_window(self) -> tuple[float, float, float]:
        """(loss sum, correct, scored) of the iterations since the last read (one read from the
        device), added to the epoch."""
        loss, correct, counted = self.tally.read()
        self.epoch_loss += loss
        self.epoch_correct += correct
        self.epoch_counted += counted
        return loss, correct, counted

    def _step_metrics(self, seen: int, dt: float, elapsed: float) -> StepMetrics:
        """Average the last window of iterations (over every process when distributed)."""
        loss, correct, counted = self._read_window()
        n = self.s.settings.log_every
        rate = seen / max(dt, 1e-9)
        rates: tuple[float, ...] = ()
        if self.world is not None:  # one exchange: sums, and whether anyone asked to stop
            (loss, correct, counted), seen, rates, self.stop_agreed = exchange_window(
                self.world,
                self.s.device,
                self.control.stopping,
                (loss, correct, counted),
                seen,
                rate,
            )
            n, rate = n * self.world.size, sum(rates)
        return StepMetrics(
            self.step,
            self.epoch,
            loss / n,
            correct / max(1, counted),
            self.s.schedule.lr,
            rate,
            elapsed,
            rates,
        )

    def _epoch_metrics(self, steps: int) -> EpochMetrics:
        """Validate, step per-epoch schedules, keep the best checkpoint; `steps` iterations ran this
        epoch."""
        loss, correct = self.epoch_loss, self.epoch_correct
        steps = max(1, steps)
        counted = self.epoch_counted
        if self.world is not None:
            (loss, correct, counted), stop = exchange_epoch(
                self.s.device, self.control.stopping, (loss, correct, counted)
            )
            self.stop_agreed = self.stop_agreed or stop
            steps = steps * self.world.size
        val_loss, val_acc, confusion = self.evaluate()
        self.s.schedule.after_epoch(val_loss)
        self.epoch += 1
        self.epoch_step = 0
        self.epoch_rng = self.gen.get_state()
        miou, ious = epoch_iou(confusion, self.s.segmentation)
        score = val_acc if miou is None else miou  # the best checkpoint: accuracy, or mIoU
        best = self.best is None or score > self.best
        if best:
            self.best = score
            self.save("best")
        self.save("last")
        return EpochMetrics(
            self.epoch,
            self.step,
            loss / steps,
            correct / max(1.0, counted),
            val_loss,
            val_acc,
            self.s.schedule.lr,
            confusion,
            best,
            miou,
            ious,
        )
