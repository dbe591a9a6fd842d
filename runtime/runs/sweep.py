"""Hyperparameter sweeps on Optuna (the optional extra `convstudio[sweep]`).

This process owns the ask/tell loop of its share of the trials and trains each one in a worker
process
(`jobs` at once). Several sweeps, on one machine or many, share a study through its storage (SQLite
file
or any database URL): that is Optuna's own distributed mode. A worker that dies takes only its trial
with it: the trial is marked failed, a new worker starts and the sweep goes on."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Callable

from runtime.project import Project
from runtime.runs.errors import SweepError
from runtime.runs.record import metric_name
from runtime.runs.space import Dimension, grid_size
from runtime.runs.sweep_worker import TrialJob, TrialResult, job_path, worker_main

SAMPLERS = ("grid", "random", "tpe")
INSTALL_HINT = "sweeps need Optuna: pip install 'convstudio[sweep]'"


def optuna_module() -> Any:
    """The optuna module, or SweepError with the install line when the extra is missing."""
    try:
        import optuna
    except ImportError:
        raise SweepError(None, INSTALL_HINT) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def open_storage(url: str) -> Any:
    """An Optuna storage for `url`; SQLite waits for a busy database instead of failing at once."""
    optuna = optuna_module()
    kwargs = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
    for attempt in range(6):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
        except Exception as exc:  # noqa: BLE001 - any driver error becomes one line naming the URL
            # two sweeps starting together on a new database race to create its tables: try again
            if attempt == 5:
                raise SweepError(
                    None, f"storage '{url}' cannot be opened: {str(exc).splitlines()[0]}"
                ) from None
            time.sleep(0.5 + attempt * 0.5)
    raise AssertionError("unreachable")


def default_storage(runs: Path) -> str:
    """The SQLite file beside a project's runs."""
    runs.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(runs / 'sweeps.db').resolve()}"


@dataclass
class SweepReport:
    """The trials this sweep ran, in the order they ended, and the study's best so far."""

    study: str
    storage: str
    results: list[TrialResult] = field(default_factory=list)
    best_value: float | None = None
    best_values: dict[str, Any] = field(default_factory=dict)
    metric: str = "accuracy"
    """What the values are: validation 'accuracy', or 'mIoU' for a segmentation project."""


@dataclass
class _Worker:
    process: Any
    conn: Any
    trial: Any = None
    pid: int | None = None


def _sampler(optuna: Any, name: str, dims: list[Dimension], seed: int | None) -> Any:
    if name == "grid":
        grid_size(dims)
        return optuna.samplers.GridSampler({d.key: list(d.choices) for d in dims}, seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    raise SweepError(None, f"unknown sampler '{name}' (use {', '.join(SAMPLERS)})")


def _suggest(trial: Any, dims: list[Dimension]) -> dict[str, Any]:
    values = {}
    for d in dims:
        if d.kind == "choice":
            values[d.key] = trial.suggest_categorical(d.key, list(d.choices))
        elif d.kind == "int":
            values[d.key] = trial.suggest_int(
                d.key, int(d.low), int(d.high), step=int(d.step or 1), log=d.log
            )
        else:
            values[d.key] = trial.suggest_float(d.key, d.low, d.high, step=d.step, log=d.log)
    return values


def run_sweep(
    project: Project,
    dims: list[Dimension],
    trials: int,
    runs: Path,
    sampler: str = "tpe",
    storage: str | None = None,
    jobs: int = 1,
    study_name: str | None = None,
    overrides: dict[str, Any] | None = None,
    seed: int | None = None,
    on_event: Callable[[str, Any], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SweepReport:
    """Run `trials` trials (fewer when a grid runs out), `jobs` at once; maximises validation
    accuracy (mIoU for a segmentation project).

    `on_event(kind, data)` hears ('started', (trial number, values, worker pid)) and ('ended',
    TrialResult);
    when `should_stop()` turns true, trials in flight are failed and their workers ended."""
    optuna = optuna_module()
    if trials < 1 or jobs < 1:
        raise SweepError(None, "--trials and --jobs must be at least 1")
    url = storage or default_storage(runs)
    name = study_name or (project.path.stem if project.path else project.name)
    study = optuna.create_study(
        study_name=name,
        storage=open_storage(url),
        load_if_exists=True,
        direction="maximize",
        sampler=_sampler(optuna, sampler, dims, seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0),
    )
    if sampler == "grid":
        trials = min(trials, grid_size(dims))
    report = SweepReport(name, url, metric=metric_name(project.task))
    doc, path = project.to_dict(), job_path(project.path)
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    threads = max(1, (os.cpu_count() or 1) // jobs)
    ctx = mp.get_context("spawn")
    workers: list[_Worker] = []
    asked = 0
    notify = on_event or (lambda kind, data: None)
    stop = should_stop or (lambda: False)
    try:
        while len(report.results) < trials and not stop():
            while asked < trials and len([w for w in workers if w.trial is not None]) < jobs:
                worker = next((w for w in workers if w.trial is None), None)
                if worker is None:
                    worker = _start_worker(ctx, threads)
                    workers.append(worker)
                trial = study.ask()
                values = _suggest(trial, dims)
                worker.trial = trial
                worker.conn.send(
                    TrialJob(
                        trial._trial_id,
                        trial.number,
                        values,
                        doc,
                        path,
                        str(runs),
                        name,
                        url,
                        overrides,
                    )
                )
                asked += 1
            busy = [w for w in workers if w.trial is not None]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=0.25)
            for worker in busy:
                if worker.conn in ready:
                    try:
                        message = worker.conn.recv()
                    except EOFError:
                        message = None
                    if message is None:
                        _lost(worker, study, report, notify, optuna)
                    elif message[0] == "started":
                        worker.pid = message[2]
                        notify("started", (message[1], worker.trial.params, message[2]))
                    else:
                        _ended(worker, message[1], study, report, notify, optuna)
                elif worker.process.sentinel in ready and not worker.conn.poll():
                    _lost(worker, study, report, notify, optuna)
            workers = [w for w in workers if w.process.is_alive() or w.trial is not None]
    finally:
        for worker in workers:
            if worker.trial is not None:
                _tell(study, worker.trial, optuna.trial.TrialState.FAIL, None)
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in workers:
            if worker.trial is not None:
                worker.process.terminate()  # stopped mid-trial: its result is no longer wanted
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.terminate()
    completed = [
        t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE
    ]
    if completed:
        report.best_value = study.best_value
        report.best_values = dict(study.best_params)
    return report


def _start_worker(ctx: Any, threads: int) -> _Worker:
    parent, child = ctx.Pipe()
    process = ctx.Process(
        target=worker_main, args=(child, threads), name="convstudio-sweep-worker", daemon=True
    )
    process.start()
    child.close()
    return _Worker(process, parent)


def _tell(study: Any, trial: Any, state: Any, value: float | None) -> None:
    """Store a trial's end. GridSampler calls Study.stop() when the grid is used up, which Optuna
    refuses
    outside `optimize` after storing the trial: that refusal only means the grid is done."""
    try:
        study.tell(
            trial, value if state.name == "COMPLETE" else None, state=state, skip_if_finished=True
        )
    except RuntimeError as exc:
        if "Study.stop" not in str(exc):
            raise


def _ended(
    worker: _Worker,
    result: TrialResult,
    study: Any,
    report: SweepReport,
    notify: Callable,
    optuna: Any,
) -> None:
    states = optuna.trial.TrialState
    state = {"complete": states.COMPLETE, "pruned": states.PRUNED}.get(result.state, states.FAIL)
    _tell(study, worker.trial, state, result.value)
    worker.trial = None
    report.results.append(result)
    notify("ended", result)


def _lost(worker: _Worker, study: Any, report: SweepReport, notify: Callable, optuna: Any) -> None:
    """The worker process died mid-trial: fail its trial, keep going with a new worker."""
    worker.process.join(timeout=2)
    code = worker.process.exitcode
    number = worker.trial.number
    _tell(study, worker.trial, optuna.trial.TrialState.FAIL, None)
    worker.trial = None
    result = TrialResult(
        number,
        "failed",
        None,
        f"the worker process ended during the trial (exit code {code})",
        None,
        0.0,
    )
    report.results.append(result)
    notify("ended", result)
