"""The training loop as a generator of events; metrics stay on the device and are read every N
steps.

`train` is the public entry: it prepares the run, resumes it when asked and turns failures into a
Finished event. The run itself is assembled from one module per concept: its state
(`run_state`), the step (`run_steps`), the epoch/step loop (`run`), probes (`run_probes`),
validation (`run_validation`), checkpoints (`run_checkpoint`), segmentation (`run_segmentation`),
what distributed processes exchange (`run_exchange`) and the on-device tally (`tally`)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from runtime.data.errors import DataError
from runtime.errors import WriteError
from runtime.project import Project
from runtime.training.control import Control
from runtime.training.distributed import World
from runtime.training.events import Event, Finished, RunWarning
from runtime.training.nonfinite import NonFinite, diagnose
from runtime.training.out_folder import locked_folder
from runtime.training.run import POLL_SECONDS
from runtime.training.run import Run as _Run
from runtime.training.run_checkpoint import ResumeError
from runtime.training.setup import prepare
from runtime.training.tally import FOLD_STEPS, Scorer
from runtime.training.tally import Tally as _Tally
from runtime.training.wording import plural

__all__ = [
    "FOLD_STEPS",
    "POLL_SECONDS",
    "ResumeError",
    "Scorer",
    "_Run",
    "_Tally",
    "plural",
    "train",
]


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
            together = run is not None and run.ended_together
            if run is not None:
                run.s.data.close()
            if world is not None:
                # The DDP wrapper holds the process group and its pending work: left alive, they
                # are destroyed during interpreter shutdown, where gloo's threads abort the process
                run = None
                gc.collect()
                world.leave(together=together)


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
    run.ended_together = True
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
