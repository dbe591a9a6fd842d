"""Record a training run while it happens: wrap the event stream, keep history and the record up to
date."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from blocks.lazy import lazy
from runtime.atomic_write import write_atomic
from runtime.errors import ConvStudioError
from runtime.project import Project
from runtime.runs.errors import RunError
from runtime.runs.figures import network_figures
from runtime.runs.record import (
    HISTORY_FILE,
    SNAPSHOT_FILE,
    RunRecord,
    new_run_id,
    now_text,
    read_record,
    versions,
)
from runtime.runs.snapshot import snapshot_doc
from runtime.runs.tensorboard import TensorBoardLog
from runtime.training.events import EpochMetrics, Event, Finished, Started, StepMetrics
from runtime.training.settings import parse_training

checkpoint = lazy("runtime.training.checkpoint")

CHECKPOINT_STEMS = ("last", "best")


def runs_root(project: Project, fallback: str | Path | None = None) -> Path:
    """Where a project's runs live: `<stem>.runs` beside its file, else `fallback` (unsaved
    projects)."""
    if project.path is not None:
        return project.path.with_name(project.path.stem + ".runs")
    if fallback is None:
        raise RunError(None, "the project has no file yet: save it, or give a folder for its runs")
    return Path(fallback)


class RunRecorder:
    """One run's folder: the snapshot, the record and the history, written as events arrive."""

    def __init__(self, record: RunRecord, out_dir: Path) -> None:
        self.record = record
        self.folder: Path = record.folder  # type: ignore[assignment]
        self.out_dir = out_dir
        self._t0 = time.monotonic()
        self._history: IO[str] | None = None
        self.tensorboard: TensorBoardLog | None = None
        """Set by `log_tensorboard`: the run's scalars also go to TensorBoard event files."""

    def log_tensorboard(self) -> "RunRecorder":
        """Also write TensorBoard event files (RunError with the install line when the extra is
        missing)."""
        self.tensorboard = TensorBoardLog(self.folder)
        return self

    @classmethod
    def start(
        cls,
        project: Project,
        root: str | Path,
        source: str,
        out_dir: str | Path | None = None,
        resumed_from: str | None = None,
        name: str | None = None,
        overrides: dict | None = None,
    ) -> RunRecorder:
        """Create a new run folder under `root` with the project snapshot and a 'running' record.

        Checkpoints go to `out_dir` (default: the run folder) and are copied in at the end when
        elsewhere;
        `overrides` are the training settings given for this run only (they are recorded as
        used)."""
        root = Path(root)
        run_id = new_run_id()
        folder = root / run_id
        try:
            folder.mkdir(parents=True, exist_ok=False)
        except OSError as exc:
            raise RunError(folder, f"cannot be created: {exc.strerror or exc}") from None
        settings = parse_training(project.training, **(overrides or {})).to_dict()
        params, macs, rf = network_figures(project)
        count = sum(1 for p in root.iterdir() if p.is_dir())
        record = RunRecord(
            id=run_id,
            name=name or f"run {count}",
            created=now_text(),
            source=source,
            project_name=project.name,
            task=project.task,
            project_file=str(project.path.resolve()) if project.path else None,
            settings=settings,
            versions=versions(),
            params=params,
            macs=macs,
            receptive_field=rf,
            resumed_from=resumed_from,
            folder=folder,
        )
        write_atomic(
            folder / SNAPSHOT_FILE, json.dumps(snapshot_doc(project), indent=2, ensure_ascii=False)
        )
        record.save()
        return cls(record, Path(out_dir) if out_dir is not None else folder)

    @classmethod
    def for_folder(cls, folder: str | Path, out_dir: str | Path | None = None) -> RunRecorder:
        """Continue recording into a run folder created earlier (e.g. by the window, before its
        process)."""
        record = read_record(folder)
        record.pid = (
            os.getpid()
        )  # the process that trains, which may not be the one that made the folder
        return cls(record, Path(out_dir) if out_dir is not None else Path(folder))

    def observe(self, event: Event) -> None:
        """Update the record and the history with one training event."""
        r = self.record
        if isinstance(event, Started):
            r.device, r.planned_epochs = event.device, event.epochs
            r.save()
        elif isinstance(event, StepMetrics):
            self._line(
                {
                    "kind": "step",
                    "step": event.step,
                    "epoch": event.epoch,
                    "loss": event.loss,
                    "accuracy": event.accuracy,
                    "lr": event.lr,
                }
            )
            if self.tensorboard is not None:
                self.tensorboard.step(event.step, event.loss, event.accuracy, event.lr)
        elif isinstance(event, EpochMetrics):
            self._line(
                {
                    "kind": "epoch",
                    "epoch": event.epoch,
                    "step": event.step,
                    "train_loss": event.train_loss,
                    "train_accuracy": event.train_accuracy,
                    "val_loss": event.val_loss,
                    "val_accuracy": event.val_accuracy,
                    **({} if event.miou is None else {"miou": event.miou}),
                    "lr": event.lr,
                }
            )
            if self._history is not None:
                self._history.flush()
            if self.tensorboard is not None:
                self.tensorboard.epoch(event.step, event.val_loss, event.val_accuracy, event.miou)
            r.epochs, r.steps, r.last_val_accuracy = event.epoch, event.step, event.val_accuracy
            if r.best_val_accuracy is None or event.val_accuracy > r.best_val_accuracy:
                r.best_val_accuracy = event.val_accuracy
            if event.miou is not None:
                r.last_val_miou = event.miou
                if r.best_val_miou is None or event.miou > r.best_val_miou:
                    r.best_val_miou = event.miou
            r.duration_s = round(time.monotonic() - self._t0, 2)
            r.save()
        elif isinstance(event, Finished):
            self.finish(
                event.status, event.message, event.step, event.epoch, event.best_val_accuracy
            )

    def finish(
        self,
        status: str,
        message: str,
        step: int | None = None,
        epoch: int | None = None,
        best: float | None = None,
    ) -> None:
        """Close the record: status, duration, checkpoints (copied in from `out_dir` when
        elsewhere)."""
        r = self.record
        if self._history is not None:
            self._history.close()
            self._history = None
        if self.tensorboard is not None:
            self.tensorboard.close()
            self.tensorboard = None
        r.status, r.message, r.finished = status, message, now_text()
        r.steps = step if step is not None else r.steps
        r.epochs = epoch if epoch is not None else r.epochs
        if best is not None:  # the run's own best: of the figure it ranks by
            if r.task == "segmentation":
                r.best_val_miou = best
            else:
                r.best_val_accuracy = best
        r.duration_s = round(time.monotonic() - self._t0, 2)
        r.checkpoints = self._collect_checkpoints()
        r.save()

    def _collect_checkpoints(self) -> dict[str, str]:
        """The run's checkpoint JSON files by stem, relative to the run folder."""
        found = {}
        for stem in CHECKPOINT_STEMS:
            meta = self.out_dir / f"{stem}.json"
            if not meta.exists():
                continue
            if self.out_dir.resolve() != self.folder.resolve():
                # the tensor files the JSON names first, the JSON last (as a checkpoint is saved)
                saved = checkpoint.read_checkpoint(meta)
                names = [saved["weights"], (saved.get("optimizer") or {}).get("tensors"), meta.name]
                for name in names:
                    if name and (self.out_dir / name).exists():
                        shutil.copyfile(self.out_dir / name, self.folder / name)
            found[stem] = f"{stem}.json"
        return found

    def _line(self, item: dict) -> None:
        if self._history is None:
            # kept open for the whole run (one line per report); closed by finish()
            self._history = open(self.folder / HISTORY_FILE, "a", encoding="utf-8")  # noqa: SIM115
        self._history.write(json.dumps(item) + "\n")


def record_run(events: Iterable[Event], recorder: RunRecorder) -> Iterator[Event]:
    """Pass `events` through unchanged while recording them; a run that ends without Finished (an
    error,
    Ctrl+C, a closed generator) is recorded as failed or stopped with what was saved so far."""
    finished = False
    try:
        for event in events:
            recorder.observe(event)
            finished = finished or isinstance(event, Finished)
            yield event
    except (KeyboardInterrupt, GeneratorExit):
        raise
    except Exception as exc:
        message = str(exc) if isinstance(exc, ConvStudioError) else f"{type(exc).__name__}: {exc}"
        recorder.finish("failed", message.splitlines()[0] if message else "failed")
        finished = True
        raise
    finally:
        if not finished:
            recorder.finish("stopped", "the run ended before training finished")
