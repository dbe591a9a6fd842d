"""One training iteration: forward and loss (under autocast), NaN check, backward and update,
with gradient accumulation."""

from __future__ import annotations

import contextlib
import math
from typing import Any

import torch

from runtime.training.nonfinite import NonFinite
from runtime.training.run_state import RunState


class RunSteps(RunState):
    """The training step of a run: one iteration at a time, tallied."""

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
        value = self._checked_loss(loss, x)
        self.s.optimizer.zero_grad(set_to_none=True)
        (self.scaler.scale(loss) if self.scaler is not None else loss).backward()
        self._update()
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
            value = self._checked_loss(loss, x)
            scaled = loss / accumulate
            (self.scaler.scale(scaled) if self.scaler is not None else scaled).backward()
        if update:
            self._update()
        self.micro = 0 if update else self.micro + 1
        self.tally.add(value if self.read_loss else loss, logits, y)
        self.step += 1

    def _checked_loss(self, loss: torch.Tensor, x: torch.Tensor) -> float | None:
        """The loss as a number on the iterations that read it; NonFinite when it is NaN or ±inf."""
        if self.step % self.check_every:
            return None
        value = loss.item()
        if not math.isfinite(value):
            raise NonFinite(self.step + 1, x)
        return value

    def _update(self) -> None:
        """Move the weights by the summed gradients (through the fp16 scaler when there is one)
        and advance the schedule."""
        if self.scaler is not None:
            self.scaler.step(self.s.optimizer)
            self.scaler.update()
        else:
            self.s.optimizer.step()
        self.s.schedule.after_step()
