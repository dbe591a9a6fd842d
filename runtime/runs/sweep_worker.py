"""A sweep worker process: trains the trials it is sent, one after another, and reports each result.

Each trial is a recorded run; its validation score (accuracy, or mIoU for a segmentation project)
goes to the study after every epoch so that the median pruner can stop it early."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.errors import ConvStudioError
from runtime.project import project_from_dict
from runtime.runs.record import metric_name
from runtime.runs.recorder import RunRecorder, record_run
from runtime.runs.space import apply_values
from runtime.training.events import EpochMetrics, Finished


@dataclass(frozen=True)
class TrialJob:
    """One trial to train."""

    trial_id: int
    number: int
    values: dict[str, Any]
    doc: dict[str, Any]
    path: str | None
    runs: str
    study: str
    storage: str
    overrides: dict[str, Any]


@dataclass(frozen=True)
class TrialResult:
    """What became of a trial: state 'complete', 'pruned' or 'failed'."""

    number: int
    state: str
    value: float | None
    message: str
    run_folder: str | None
    seconds: float


def worker_main(conn: Any, threads: int) -> None:
    """Serve jobs from `conn` until it sends None or closes."""
    import torch

    torch.set_num_threads(max(1, threads))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        conn.send(("started", job.number, os.getpid()))
        conn.send(("result", run_trial(job)))


def run_trial(job: TrialJob) -> TrialResult:
    """Train one trial as a recorded run, reporting each epoch's validation score (mIoU when
    segmenting, else accuracy) to the study."""
    import time

    import optuna

    from runtime.runs.sweep import open_storage
    from runtime.training.loop import train

    t0 = time.monotonic()
    recorder = None
    try:
        study = optuna.load_study(study_name=job.study, storage=open_storage(job.storage))
        trial = optuna.trial.Trial(study, job.trial_id)
        project = apply_values(project_from_dict(job.doc, job.path), job.values)
        recorder = RunRecorder.start(
            project,
            job.runs,
            "sweep",
            name=f"{job.study} trial {job.number}",
            overrides=job.overrides,
        )
        recorder.record.sweep = {"study": job.study, "trial": job.number, "values": job.values}
        best, finished = None, None
        stream = record_run(train(project, out_dir=recorder.folder, **job.overrides), recorder)
        for event in stream:
            if isinstance(event, EpochMetrics):
                score = epoch_score(event)
                best = score if best is None else max(best, score)
                trial.report(score, event.epoch)
                if trial.should_prune():
                    stream.close()
                    message = (
                        f"pruned after epoch {event.epoch}: {metric_name(project.task)} "
                        f"{score:.2%} is below the median"
                    )
                    recorder.finish("pruned", message)
                    return TrialResult(
                        job.number,
                        "pruned",
                        best,
                        message,
                        str(recorder.folder),
                        time.monotonic() - t0,
                    )
            elif isinstance(event, Finished):
                finished = event
        if finished is None or finished.status == "failed" or best is None:
            message = finished.message if finished else "training ended without a result"
            return TrialResult(
                job.number, "failed", None, message, str(recorder.folder), time.monotonic() - t0
            )
        return TrialResult(
            job.number,
            "complete",
            best,
            finished.message,
            str(recorder.folder),
            time.monotonic() - t0,
        )
    except ConvStudioError as exc:
        return TrialResult(
            job.number, "failed", None, str(exc), _folder(recorder), time.monotonic() - t0
        )
    except Exception as exc:  # noqa: BLE001 - one failed trial must not end the sweep
        detail = traceback.format_exc(limit=2).strip().splitlines()[-1]
        return TrialResult(
            job.number,
            "failed",
            None,
            f"{type(exc).__name__}: {exc} ({detail})",
            _folder(recorder),
            time.monotonic() - t0,
        )


def epoch_score(event: EpochMetrics) -> float:
    """The figure an epoch is judged by: validation mIoU when segmenting, else accuracy."""
    return event.val_accuracy if event.miou is None else event.miou


def _folder(recorder: RunRecorder | None) -> str | None:
    return str(recorder.folder) if recorder is not None else None


def job_path(path: Path | None) -> str | None:
    """The project path as a job carries it."""
    return str(path) if path is not None else None
