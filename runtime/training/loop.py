"""The training loop as a generator of events; metrics stay on the device and are read every N
steps."""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import torch

from runtime.data.errors import DataError
from runtime.errors import WriteError
from runtime.preprocessing import Preprocessing
from runtime.project import Project
from runtime.training.probes import feature_maps, filters, first_conv, histograms
from runtime.training.checkpoint import (
    load_optimizer,
    load_weights,
    read_checkpoint,
    save_checkpoint,
)
from runtime.training.control import Control
from runtime.training.distributed import World, all_gather_value, all_sum, sum_tensor
from runtime.segmentation.metrics import class_iou, correct_pixels, mean_iou
from runtime.segmentation.metrics import confusion as pixel_confusion
from runtime.training.events import (
    EpochMetrics,
    Event,
    Finished,
    RunWarning,
    SegmentationSample,
    Started,
    StepMetrics,
)
from runtime.training.finetune import FineTune
from runtime.training.health import HEALTH_EVERY, HEALTH_IMAGES, HealthProbe
from runtime.training.nonfinite import NonFinite, diagnose
from runtime.training.out_folder import locked_folder
from runtime.training.setup import Setup, prepare

POLL_SECONDS = 0.02
"""The pause/stop flags are read at least this often (and after every event), not every
iteration."""
FOLD_STEPS = 16
"""Kept logits are folded into the on-device sums at least every this many iterations (bounds their
memory)."""


class ResumeError(DataError):
    """A checkpoint that cannot continue this run (nothing left to train, state that does not
    fit)."""


Scorer = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
"""(number right, number scored) of a batch's logits against its labels or masks."""


def _correct_labels(
    logits: torch.Tensor, labels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Images whose top class is the label, out of the batch."""
    return (logits.argmax(1) == labels).sum(), torch.tensor(len(labels), device=labels.device)


class _Tally:
    """Training loss and correct predictions summed since the last read, with no device sync per
    iteration.

    Where reading a value is free (CPU) the loss the loop already read and the correct counts are
    kept as Python numbers; otherwise loss tensors are kept and folded into on-device sums. Logits
    and labels are kept and scored in one batch every FOLD_STEPS iterations and at each read: a
    handful of batched operations instead of five small ones per iteration."""

    def __init__(self, device: torch.device, score: Scorer = _correct_labels) -> None:
        self.on_device = device.type != "cpu"
        self.score = score
        self.sums = torch.zeros(3, device=device) if self.on_device else None
        self.loss = 0.0
        self.correct = 0
        self.counted = 0
        self.losses: list[torch.Tensor] = []
        self.logits: list[torch.Tensor] = []
        self.labels: list[torch.Tensor] = []

    def add(self, loss: float | torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        """One iteration's loss (a float when already read), logits and labels."""
        if isinstance(loss, float):
            self.loss += loss
        else:
            self.losses.append(loss.detach())
        self.logits.append(logits.detach())
        self.labels.append(labels)
        if len(self.logits) >= FOLD_STEPS:
            self.fold()

    def fold(self) -> None:
        """Score and sum what is kept (asynchronously on a GPU) and drop it."""
        if self.logits:
            logits = torch.cat(self.logits) if len(self.logits) > 1 else self.logits[0]
            labels = torch.cat(self.labels) if len(self.labels) > 1 else self.labels[0]
            correct, counted = self.score(logits, labels)
            if self.on_device:
                self.sums[1] += correct
                self.sums[2] += counted
            else:
                self.correct += int(correct)
                self.counted += int(counted)
            self.logits.clear()
            self.labels.clear()
        if self.losses:
            loss = torch.stack(self.losses).float().sum()
            if self.on_device:
                self.sums[0] += loss
            else:
                self.loss += float(loss)
            self.losses.clear()

    def read(self) -> tuple[float, float, float]:
        """(loss sum, number correct, number scored) since the last read or reset, with at most one
        device read; then reset."""
        self.fold()
        loss, correct, counted = self.loss, float(self.correct), float(self.counted)
        if self.on_device:
            on_device = self.sums.tolist()
            loss, correct = loss + on_device[0], correct + on_device[1]
            counted += on_device[2]
        self.reset()
        return loss, correct, counted

    def reset(self) -> None:
        """Forget everything summed or kept."""
        if self.on_device:
            self.sums.zero_()
        self.loss = 0.0
        self.correct = 0
        self.counted = 0
        self.losses.clear()
        self.logits.clear()
        self.labels.clear()


class _Run:
    """Mutable state of one run; `events()` drives it."""

    def __init__(self, setup: Setup, control: Control, out_dir: Path | None) -> None:
        self.s = setup
        self.control = control
        self.out_dir = out_dir
        self.world = setup.world
        self.gen = torch.Generator(device=setup.device).manual_seed(setup.settings.seed)
        if self.world is not None:
            self.gen.manual_seed(_epoch_seed(setup.settings.seed, self.world.rank, 0))
        self.step = 0
        self.epoch = 0
        self.best: float | None = None
        self.checkpoint: str | None = None
        self.probe_x = setup.data.probe_batch()
        self.health = HealthProbe(setup.model, setup.layer_names, setup.optimizer)
        self.health_x = setup.data.probe_batch(HEALTH_IMAGES)
        self.next_probe = 0.0 if self.world is None or self.world.main else math.inf
        self.probes = 0
        self.micro = 0
        """Iterations whose gradients are summed so far towards the next update (accumulation)."""
        self.stop_agreed = False
        """Distributed: every process agreed at the last exchange of metrics to stop."""
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(setup.settings.precision)
        self.autocast = dtype if setup.device.type == "cuda" else None
        self.scaler = torch.amp.GradScaler("cuda") if self.autocast == torch.float16 else None
        self.check_every = 1 if setup.device.type == "cpu" else setup.settings.log_every
        self.read_loss = self.check_every == 1
        self.tally = _Tally(setup.device, correct_pixels if setup.segmentation else _correct_labels)
        self.epoch_loss = self.epoch_correct = self.epoch_counted = 0.0
        st = setup.settings
        self.finetune = FineTune(
            setup.model, setup.project, setup.schedule, st.head_epochs, st.finetune_lr_factor
        )
        self.skip = 0
        """Batches of the current epoch a mid-epoch checkpoint had already trained (skipped on
        resume)."""
        self.epoch_step = 0
        """Batches of the current epoch trained so far (skipped ones included)."""
        self.epoch_rng = self.gen.get_state()
        self.notes: list[str] = []
        """Warnings found while resuming."""

    def resume_from(self, path: str | Path) -> None:
        """Continue from a checkpoint: weights, optimizer state, the schedule at its point, epoch
        and step.

        The schedule follows the current settings (a new epoch count lengthens or shortens it) from
        the checkpoint's position; a checkpoint written mid-epoch continues with that epoch's
        remaining batches, in the order the interrupted run would have used."""
        meta = read_checkpoint(path)
        where = Path(meta["_path"])
        epochs, done = self.s.settings.epochs, meta["epoch"]
        if done >= epochs:
            raise ResumeError(
                where,
                f"this checkpoint has already trained {plural(done, 'epoch')}, so "
                f"{plural(epochs, 'epoch')} leaves nothing to train: ask for more than "
                f"{plural(done, 'epoch')}",
            )
        load_weights(meta, self.s.model)
        saved_with = (meta.get("settings") or {}).get("optimizer")
        lrs = None
        if saved_with in (None, self.s.settings.optimizer):
            lrs = load_optimizer(meta, self.s.optimizer)
        else:
            self.notes.append(
                f"the checkpoint was trained with {str(saved_with)[:40]}; the "
                f"{self.s.settings.optimizer} "
                "optimizer starts with fresh state"
            )
        st = self.s.settings
        per_epoch = self.s.data.steps_per_epoch(st.batch_size)
        self.epoch = done
        skip = meta.get("epoch_step", 0)
        if isinstance(meta.get("epoch_samples"), int):  # another process count: same samples
            wide = min(st.batch_size, self.s.data.train_size) * self.s.processes
            skip = meta["epoch_samples"] // wide // st.accumulate * st.accumulate
        self.skip = min(skip, per_epoch - 1)
        self.step = done * per_epoch + self.skip
        self.best = meta.get("best_val_accuracy")
        self.s.schedule.resume_at(self.step // st.accumulate, done, meta.get("scheduler"), lrs)
        if meta.get("rng") and self.world is None:
            self._restore_rng(meta["rng"])

    def _restore_rng(self, text: str) -> None:
        """Put back the shuffling/augmentation generator as it was at the start of the saved epoch
        (a state from another kind of device cannot be: then the order differs, and a warning says
        so)."""
        state = torch.frombuffer(bytearray(bytes.fromhex(text)), dtype=torch.uint8)
        try:
            if state.numel() != self.gen.get_state().numel():
                raise ValueError("another device's generator")
            self.gen.set_state(state)
        except (RuntimeError, ValueError):
            self.notes.append(
                "the checkpoint's shuffling state does not fit this device's generator: the "
                "remaining batches come in a different order than the interrupted run's"
            )

    def started(self) -> Started:
        """The first event."""
        d, st = self.s.data, self.s.settings
        return Started(
            st.epochs,
            d.steps_per_epoch(st.batch_size),
            min(st.batch_size, d.train_size),
            d.train_size,
            d.val_size,
            d.classes,
            str(self.s.device),
            d.first_val_image(),
            self.epoch,
            processes=self.s.processes,
            global_batch=self.s.global_batch,
            probe_input=self.probe_x[0].detach().float().cpu().numpy(),
        )

    def _forward_loss(
        self, x: torch.Tensor, y: torch.Tensor, fn: Any = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits and loss of `fn` (the training step's model by default), under autocast when
        mixed precision is on."""
        fn = fn or self.s.step_fn
        if self.autocast is None:
            logits = fn(x)
            return logits, self.s.loss_fn(logits, y)
        with torch.autocast("cuda", self.autocast):
            logits = fn(x)
            return logits, self.s.loss_fn(logits, y)

    def train_step(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """One iteration, tallied in `self.tally`; raises NonFinite before a bad update.

        On the CPU the loss is read every iteration (no sync to wait for): the NaN check names the
        exact step and the read value is what gets summed. On a GPU it is read every `log_every`
        iterations only."""
        accumulate = self.s.settings.accumulate
        if accumulate > 1:
            self._accumulating_step(x, y, accumulate)
            return
        logits, loss = self._forward_loss(x, y)
        value = None
        if self.step % self.check_every == 0:
            value = loss.item()
            if not math.isfinite(value):
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
        self.tally.add(value if self.read_loss else loss, logits, y)
        self.step += 1

    def _accumulating_step(self, x: torch.Tensor, y: torch.Tensor, accumulate: int) -> None:
        """One iteration of gradient accumulation: gradients add up over `accumulate` iterations
        (across processes only on the last one) and the weights move once."""
        opt, update = self.s.optimizer, self.micro == accumulate - 1
        if self.micro == 0:
            opt.zero_grad(set_to_none=True)
        quiet = self.s.ddp is not None and not update
        with self.s.ddp.no_sync() if quiet else contextlib.nullcontext():
            logits, loss = self._forward_loss(x, y)
            value = None
            if self.step % self.check_every == 0:
                value = loss.item()
                if not math.isfinite(value):
                    raise NonFinite(self.step + 1, x)
            scaled = loss / accumulate
            (self.scaler.scale(scaled) if self.scaler is not None else scaled).backward()
        if update:
            if self.scaler is not None:
                self.scaler.step(opt)
                self.scaler.update()
            else:
                opt.step()
            self.s.schedule.after_step()
        self.micro = 0 if update else self.micro + 1
        self.tally.add(value if self.read_loss else loss, logits, y)
        self.step += 1

    def stopping(self) -> bool:
        """Whether to stop: this process's request alone, or what all agreed when distributed."""
        return self.stop_agreed if self.world is not None else self.control.stopping

    def probe_events(self, now: float) -> Iterator[Event]:
        """Feature maps and filters (and histograms every fourth time); the next ones in
        `probe_seconds`."""
        self.next_probe = now + self.s.settings.probe_seconds
        layer = self.control.probe_layer()
        if layer not in self.s.layer_names and layer != self.s.input_name:
            conv = first_conv(self.s.model)
            layer = conv[0].split(".")[0] if conv else self.s.layer_names[0]
        yield feature_maps(self.s.model, self.probe_x, layer, self.s.input_name, self.step)
        found = filters(self.s.model, self.step)
        if found is not None:
            yield found
        if self.probes % 4 == 0:
            yield histograms(self.s.model, self.step)
        health = self.health.take(self.step, self.s.model, self.health_x)
        if health is not None:
            yield health
        if self.probes % HEALTH_EVERY == 0:
            self.health.arm()
        self.probes += 1

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
            self.gen.manual_seed(_epoch_seed(self.s.settings.seed, self.world.rank, self.epoch))
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
            stop = float(self.control.stopping)
            loss, correct, counted, total, stop = all_sum(
                [loss, correct, counted, float(seen), stop], self.s.device
            )
            seen = int(total)
            rates = tuple(all_gather_value(rate, self.world, self.s.device))
            self.stop_agreed = stop > 0
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

    @torch.no_grad()
    def evaluate(self) -> tuple[float, float, Any]:
        """Validation loss, accuracy (of pixels, when segmenting) and confusion matrix (one device
        sync at the end)."""
        model, k = self.s.model, len(self.s.data.classes)
        model.eval()
        # distributed: each process scores its share with the plain model (the wrapper would
        # exchange buffers per batch, and shares may differ by a batch), then the sums are added
        fn = model if self.s.ddp is not None else None
        total = torch.zeros((), device=self.s.device)
        confusion = torch.zeros(k * k, dtype=torch.long, device=self.s.device)
        samples = 0
        for x, y in self.s.data.val_batches():
            logits, loss = self._forward_loss(x, y, fn)
            total += loss.float() * len(y)
            samples += len(y)
            if self.s.segmentation:
                confusion += pixel_confusion(logits.argmax(1), y, k).view(-1)
            else:
                confusion += torch.bincount(y * k + logits.argmax(1), minlength=k * k)
        model.train()
        if self.world is not None:
            total = sum_tensor(total.double())
            confusion = sum_tensor(confusion)
        matrix = confusion.view(k, k).cpu().numpy()
        n = max(1, int(matrix.sum()))
        if self.world is not None:
            samples = int(all_sum([float(samples)], self.s.device)[0])
        scored = samples if self.s.segmentation else n  # classifying, one matrix entry per sample
        return float(total) / max(1, scored), float(matrix.trace()) / n, matrix

    @torch.no_grad()
    def segmentation_sample(self) -> SegmentationSample:
        """The fixed validation image with its true and predicted masks."""
        self.s.model.eval()
        predicted = self.s.model(self.probe_x[:1]).argmax(1)[0].to(torch.uint8).cpu().numpy()
        self.s.model.train()
        fit = self.s.fit
        return SegmentationSample(
            self.step,
            self.epoch,
            self.s.data.first_val_image(),
            self.s.data.probe_mask(),
            predicted,
            fit.margin if fit is not None else (0, 0),
        )

    def save(self, stem: str) -> None:
        """Write a checkpoint under out_dir (when there is one)."""
        if self.out_dir is None:
            return
        d = self.s.data
        sched = self.s.schedule.inner.state_dict() if self.s.schedule.inner is not None else None
        info = {
            "epoch": self.epoch,
            "step": self.step,
            "epoch_step": self.epoch_step,
            "epoch_samples": self.epoch_step
            * min(self.s.settings.batch_size, d.train_size)
            * self.s.processes,
            "processes": self.s.processes,
            "best_val_accuracy": self.best,
            "settings": self.s.settings.to_dict(),
            "project": self.s.project.name,
            "scheduler": _jsonable(sched),
            "rng": bytes(self.epoch_rng.cpu().numpy()).hex(),
            "preprocessing": Preprocessing.of(
                self.s.project.input_shape, d.mean, d.std, d.classes
            ).to_dict(),
        }
        path = save_checkpoint(self.out_dir, stem, self.s.model, self.s.optimizer, info)
        if stem == "last":
            self.checkpoint = str(path)

    def _epoch_metrics(self, steps: int) -> EpochMetrics:
        """Validate, step per-epoch schedules, keep the best checkpoint; `steps` iterations ran this
        epoch."""
        loss, correct = self.epoch_loss, self.epoch_correct
        steps = max(1, steps)
        counted = self.epoch_counted
        if self.world is not None:
            stop = float(self.control.stopping)
            loss, correct, counted, stop = all_sum([loss, correct, counted, stop], self.s.device)
            self.stop_agreed = self.stop_agreed or stop > 0
            steps = steps * self.world.size
        val_loss, val_acc, confusion = self.evaluate()
        self.s.schedule.after_epoch(val_loss)
        self.epoch += 1
        self.epoch_step = 0
        self.epoch_rng = self.gen.get_state()
        miou, ious = None, ()
        if self.s.segmentation:
            miou, ious = mean_iou(confusion), tuple(float(v) for v in class_iou(confusion))
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


def plural(count: int, noun: str) -> str:
    """'1 epoch', '2 epochs'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _epoch_seed(seed: int, rank: int, epoch: int) -> int:
    """The augmentation seed of one process in one epoch of a distributed run."""
    return (seed + 7919 * rank + 104729 * epoch) % 2**63


def train(
    project: Project,
    control: Control | None = None,
    out_dir: str | Path | None = None,
    resume: str | Path | None = None,
    world: World | None = None,
    **overrides: Any,
) -> Iterator[Event]:
    """Train `project` (settings from project.training, `overrides` win), yielding events up to
    Finished.

    Bad settings, data or checkpoints raise a ConvStudioError before the first event; failures
    during training (non-finite loss, out of memory, a checkpoint that cannot be written) end with
    Finished(status='failed') saying what to try. `out_dir` is locked for the run: a second run into
    it is refused with OutputFolderError naming the first."""
    threads = torch.get_num_threads()
    with contextlib.ExitStack() as stack:
        folder = None
        if world is not None and not world.main:
            out_dir = None  # rank 0 alone writes
        if out_dir is not None:
            what = f"training '{project.name}'" + (f" from {project.path}" if project.path else "")
            folder = stack.enter_context(locked_folder(out_dir, what))
        run = None
        try:
            run = _Run(prepare(project, world, **overrides), control or Control(), folder)
            if run.s.settings.threads:
                torch.set_num_threads(run.s.settings.threads)
            if resume is not None:
                run.resume_from(resume)
            yield run.started()
            for message in run.s.warnings + run.notes:
                yield RunWarning(message)
            yield from _body(run)
        finally:
            torch.set_num_threads(threads)
            if run is not None:
                run.s.data.close()
            if world is not None:
                world.leave()


def _body(run: _Run) -> Iterator[Event]:
    """The epochs, turning failures into a Finished event; a stop writes a checkpoint where it
    stopped."""
    first_step = run.step
    try:
        while run.epoch < run.s.settings.epochs and not run.stopping():
            yield from run.epoch_events()
        if run.stopping() and run.step > first_step:
            run.save("last")
    except NonFinite as bad:
        yield Finished(
            "failed", diagnose(run.s, bad), bad.step, run.epoch, run.best, run.checkpoint
        )
        return
    except DataError as exc:
        yield Finished("failed", str(exc), run.step, run.epoch, run.best, run.checkpoint)
        return
    except (torch.OutOfMemoryError, MemoryError):
        batch = run.s.settings.batch_size
        yield Finished(
            "failed",
            f"out of memory on {run.s.device} at batch size {batch}: try batch size "
            f"{max(1, batch // 2)} or a smaller network",
            run.step,
            run.epoch,
            run.best,
            run.checkpoint,
        )
        return
    except WriteError as exc:
        kept = (
            f"the last good checkpoint, {run.checkpoint}, is intact"
            if run.checkpoint
            else "no checkpoint was written"
        )
        yield Finished(
            "failed",
            f"a checkpoint could not be written ({exc}); {kept}",
            run.step,
            run.epoch,
            run.best,
            run.checkpoint,
        )
        return
    status = "stopped" if run.stopping() else "completed"
    metric = "mIoU" if run.s.segmentation else "accuracy"
    best = f"; best validation {metric} {run.best:.2%}" if run.best is not None else ""
    yield Finished(
        status,
        f"training {status} after {plural(run.step, 'iteration')} "
        f"({plural(run.epoch, 'epoch')}){best}",
        run.step,
        run.epoch,
        run.best,
        run.checkpoint,
    )
