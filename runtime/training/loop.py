"""The training loop as a generator of events; metrics stay on the device and are read every N steps."""
from __future__ import annotations

import contextlib
import json
import math
import time
from pathlib import Path
from typing import Any, Iterator

import torch

from runtime.project import Project
from runtime.training import probes
from runtime.training.checkpoint import load_optimizer, load_weights, read_checkpoint, save_checkpoint
from runtime.training.control import Control
from runtime.training.events import (EpochMetrics, Event, Finished, Started, StepMetrics, Warning)
from runtime.training.nonfinite import NonFinite, diagnose
from runtime.training.setup import Setup, prepare


class _Run:
    """Mutable state of one run; `events()` drives it."""

    def __init__(self, setup: Setup, control: Control, out_dir: Path | None) -> None:
        self.s = setup
        self.control = control
        self.out_dir = out_dir
        self.gen = torch.Generator(device=setup.device).manual_seed(setup.settings.seed)
        self.step = 0
        self.epoch = 0
        self.best: float | None = None
        self.checkpoint: str | None = None
        self.probe_x = setup.data.normalise(setup.data.val_x[:1])
        self.next_probe = 0.0
        self.probes = 0
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(setup.settings.precision)
        self.autocast = dtype if setup.device.type == "cuda" else None
        self.scaler = torch.amp.GradScaler("cuda") if self.autocast == torch.float16 else None
        self.check_every = 1 if setup.device.type == "cpu" else setup.settings.log_every

    def resume_from(self, path: str | Path) -> None:
        """Continue from a checkpoint: weights, optimizer, schedule, epoch and step."""
        meta = read_checkpoint(path)
        load_weights(meta, self.s.model)
        load_optimizer(meta, self.s.optimizer)
        if meta.get("scheduler") and self.s.schedule.inner is not None:
            self.s.schedule.inner.load_state_dict(meta["scheduler"])
        self.epoch, self.step = int(meta.get("epoch", 0)), int(meta.get("step", 0))
        self.best = meta.get("best_val_accuracy")

    def started(self) -> Started:
        """The first event."""
        d, st = self.s.data, self.s.settings
        return Started(st.epochs, d.steps_per_epoch(st.batch_size), min(st.batch_size, d.train_size), d.train_size,
                       d.val_size, d.classes, str(self.s.device), d.val_x[0].cpu().numpy(), self.epoch)

    def _forward_loss(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits and loss, under autocast when mixed precision is on."""
        ctx = torch.autocast("cuda", self.autocast) if self.autocast else contextlib.nullcontext()
        with ctx:
            logits = self.s.step_fn(x)
            return logits, self.s.loss_fn(logits, y)

    def train_step(self, x: torch.Tensor, y: torch.Tensor, sums: torch.Tensor) -> None:
        """One iteration; adds (loss, correct) to the on-device `sums`; raises NonFinite before a bad update."""
        logits, loss = self._forward_loss(x, y)
        if self.step % self.check_every == 0 and not math.isfinite(loss.item()):
            raise NonFinite(self.step + 1, x)
        opt = self.s.optimizer
        opt.zero_grad(set_to_none=True)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(opt)
            self.scaler.update()
        else:
            loss.backward()
            opt.step()
        self.s.schedule.after_step()
        sums[0] += loss.detach()
        sums[1] += (logits.argmax(1) == y).sum()
        self.step += 1

    def maybe_probe(self) -> Iterator[Event]:
        """Feature maps and filters about every `probe_seconds`; histograms every fourth time."""
        now = time.perf_counter()
        if now < self.next_probe:
            return
        self.next_probe = now + self.s.settings.probe_seconds
        layer = self.control.probe_layer()
        if layer not in self.s.layer_names and layer != self.s.input_name:
            conv = probes.first_conv(self.s.model)
            layer = conv[0].split(".")[0] if conv else self.s.layer_names[0]
        yield probes.feature_maps(self.s.model, self.probe_x, layer, self.s.input_name, self.step)
        found = probes.filters(self.s.model, self.step)
        if found is not None:
            yield found
        if self.probes % 4 == 0:
            yield probes.histograms(self.s.model, self.step)
        self.probes += 1

    @torch.no_grad()
    def evaluate(self) -> tuple[float, float, Any]:
        """Validation loss, accuracy and confusion matrix (one device sync at the end)."""
        model, k = self.s.model, len(self.s.data.classes)
        model.eval()
        total = torch.zeros((), device=self.s.device)
        confusion = torch.zeros(k * k, dtype=torch.long, device=self.s.device)
        for x, y in self.s.data.val_batches():
            logits, loss = self._forward_loss(x, y)
            total += loss.float() * len(y)
            confusion += torch.bincount(y * k + logits.argmax(1), minlength=k * k)
        model.train()
        matrix = confusion.view(k, k).cpu().numpy()
        n = max(1, int(matrix.sum()))
        return float(total) / n, float(matrix.trace()) / n, matrix

    def save(self, stem: str) -> None:
        """Write a checkpoint under out_dir (when there is one)."""
        if self.out_dir is None:
            return
        sched = self.s.schedule.inner.state_dict() if self.s.schedule.inner is not None else None
        info = {"epoch": self.epoch, "step": self.step, "best_val_accuracy": self.best,
                "settings": self.s.settings.to_dict(), "project": self.s.project.name,
                "scheduler": _jsonable(sched)}
        path = save_checkpoint(self.out_dir, stem, self.s.model, self.s.optimizer, info)
        if stem == "last":
            self.checkpoint = str(path)

    def epoch_events(self) -> Iterator[Event]:
        """Train one epoch (reporting every log_every steps and probing), then validate."""
        st = self.s.settings
        sums = torch.zeros(2, device=self.s.device)
        window = torch.zeros(2, device=self.s.device)
        seen, tick, t0 = 0, time.perf_counter(), time.perf_counter()
        for i, (x, y) in enumerate(self.s.data.train_batches(st.batch_size, self.gen), start=1):
            self.control.wait_while_paused()
            if self.control.stopping:
                return
            self.train_step(x, y, window)
            seen += len(y)
            if i % st.log_every == 0:
                yield self._step_metrics(window, i, seen, time.perf_counter() - tick, t0)
                sums += window
                window.zero_()
                seen, tick = 0, time.perf_counter()
            yield from self.maybe_probe()
        sums += window
        yield self._epoch_metrics(sums)

    def _step_metrics(self, window: torch.Tensor, i: int, seen: int, dt: float, t0: float) -> StepMetrics:
        """Average the last window of iterations (one read from the device)."""
        loss, correct = window.tolist()
        n = self.s.settings.log_every
        return StepMetrics(self.step, self.epoch, loss / n, correct / max(1, seen), self.s.schedule.lr,
                           seen / max(dt, 1e-9), time.perf_counter() - t0)

    def _epoch_metrics(self, sums: torch.Tensor) -> EpochMetrics:
        """Validate, step per-epoch schedules, keep the best checkpoint."""
        loss, correct = sums.tolist()
        steps = self.s.data.steps_per_epoch(self.s.settings.batch_size)
        seen = steps * min(self.s.settings.batch_size, self.s.data.train_size)
        val_loss, val_acc, confusion = self.evaluate()
        self.s.schedule.after_epoch(val_loss)
        self.epoch += 1
        best = self.best is None or val_acc > self.best
        if best:
            self.best = val_acc
            self.save("best")
        self.save("last")
        return EpochMetrics(self.epoch, self.step, loss / steps, correct / seen, val_loss, val_acc,
                            self.s.schedule.lr, confusion, best)


def _jsonable(value: Any) -> Any:
    """Drop what JSON cannot hold (functions inside scheduler state)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if _jsonable_ok(v)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value if _jsonable_ok(v)]
    return value


def _jsonable_ok(value: Any) -> bool:
    try:
        json.dumps(value, default=float)
        return True
    except (TypeError, ValueError):
        return isinstance(value, (dict, list, tuple))


def train(project: Project, control: Control | None = None, out_dir: str | Path | None = None,
          resume: str | Path | None = None, **overrides: Any) -> Iterator[Event]:
    """Train `project` (settings from project.training, `overrides` win), yielding events up to Finished.

    Bad settings or data raise a ConvStudioError before the first event; failures during training
    (non-finite loss, out of memory) end with Finished(status='failed') saying what to try."""
    threads = torch.get_num_threads()
    try:
        run = _Run(prepare(project, **overrides), control or Control(), Path(out_dir) if out_dir else None)
        if run.s.settings.threads:
            torch.set_num_threads(run.s.settings.threads)
        if resume is not None:
            run.resume_from(resume)
        yield run.started()
        for message in run.s.warnings:
            yield Warning(message)
        yield from _body(run)
    finally:
        torch.set_num_threads(threads)


def _body(run: _Run) -> Iterator[Event]:
    """The epochs, turning failures into a Finished event."""
    try:
        while run.epoch < run.s.settings.epochs and not run.control.stopping:
            yield from run.epoch_events()
    except NonFinite as bad:
        yield Finished("failed", diagnose(run.s, bad), bad.step, run.epoch, run.best, run.checkpoint)
        return
    except torch.OutOfMemoryError:
        batch = run.s.settings.batch_size
        yield Finished("failed", f"out of memory on {run.s.device} at batch size {batch}: try batch size "
                                 f"{max(1, batch // 2)} or a smaller network", run.step, run.epoch, run.best,
                       run.checkpoint)
        return
    status = "stopped" if run.control.stopping else "completed"
    if status == "stopped":
        run.save("last")
    best = f"; best validation accuracy {run.best:.2%}" if run.best is not None else ""
    yield Finished(status, f"training {status} after {run.step} iterations ({run.epoch} epochs){best}",
                   run.step, run.epoch, run.best, run.checkpoint)
