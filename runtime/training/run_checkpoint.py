"""Checkpoints of a run: writing one (weights, optimizer, position, schedule, shuffling state)
and continuing from one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from runtime.data.errors import DataError
from runtime.preprocessing import Preprocessing
from runtime.training.checkpoint import (
    load_optimizer,
    load_weights,
    read_checkpoint,
    save_checkpoint,
)
from runtime.training.run_state import RunState
from runtime.training.wording import plural


class ResumeError(DataError):
    """A checkpoint that cannot continue this run (nothing left to train, state that does not
    fit)."""


class RunCheckpoints(RunState):
    """Saving a run's checkpoints and resuming a run from one."""

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
