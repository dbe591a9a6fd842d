"""`convstudio train FILE`: train headless with a progress line, metrics as JSON lines, checkpoints,
a summary."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runtime.atomic_write import write_atomic
from runtime.cli.progress import ScanProgress
from runtime.cli.train_progress import Progress
from runtime.codegen.trained import export_trained
from runtime.data.settings import parse_data
from runtime.data.spec import apply_spec
from runtime.data.splits import open_splits
from runtime.errors import ConvStudioError, ProjectFileError
from runtime.python_export import python_source
from runtime.project import Project, load_project
from runtime.runs.errors import RunError
from runtime.runs.recorder import RunRecorder, record_run, runs_root
from runtime.runs.tensorboard import require as require_tensorboard
from runtime.training import (
    Control,
    EpochMetrics,
    Finished,
    RunWarning,
    Started,
    StepMetrics,
    read_checkpoint,
    train,
)
from runtime.training.history import append, open_history
from runtime.training.out_folder import OutputFolderError, locked_folder


class TrainingFailed(ConvStudioError):
    """Training ran but ended in failure (non-finite loss, out of memory, a checkpoint not
    written)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `train` sub-command."""
    p = subparsers.add_parser(
        "train",
        help="train a project without the window",
        description="Train a project headless; writes metrics.jsonl, checkpoints "
        "(safetensors + JSON), summary.json and the exported model into "
        "--out. Ctrl+C or SIGTERM writes a checkpoint before exiting.",
    )
    p.add_argument("file", type=Path, help="project file (.json)")
    p.add_argument(
        "--epochs", type=int, help="override the number of epochs (with --resume: the new total)"
    )
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), help="override the device")
    p.add_argument(
        "--out", type=Path, help="output folder (default: <project>-training beside the file)"
    )
    p.add_argument(
        "--resume", type=Path, help="continue from a checkpoint (.json or a folder with last.json)"
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="start afresh in an --out that holds an earlier run (its outputs are replaced)",
    )
    p.add_argument(
        "--tensorboard",
        action="store_true",
        help="also write TensorBoard event files into the run folder "
        "(extra: convstudio[tensorboard])",
    )
    p.add_argument(
        "--no-record",
        action="store_true",
        help="do not record the run in <project>.runs beside the project file",
    )
    p.add_argument(
        "--data",
        metavar="SPEC",
        help="train on this data instead of the project's: a folder, a CSV/TSV file, "
        ".tar shards, hf:NAME or a saved data set",
    )
    p.set_defaults(handler=run)


def _index_data(project: Project) -> None:
    """Scan a lazy source with progress on stderr before training (the run then reads the cached
    index); in-memory sources need nothing."""
    base = project.path.parent if project.path else None
    settings = parse_data(project.data, project.input_shape, base)
    if settings.lazy:
        progress = ScanProgress()
        try:
            open_splits(settings, progress)
        finally:
            progress.done()


def _record(event: StepMetrics | EpochMetrics) -> dict[str, Any]:
    """One JSON line of metrics."""
    if isinstance(event, StepMetrics):
        return {"kind": "step", **vars(event)}
    fields = {k: v for k, v in vars(event).items() if k != "confusion"}
    return {"kind": "epoch", **fields, "confusion": event.confusion.tolist()}


def _same_folder(a: Path, b: Path) -> bool:
    """Whether two paths name one folder."""
    return os.path.realpath(a) == os.path.realpath(b)


def _continued_step(args: argparse.Namespace, out: Path) -> int | None:
    """The checkpoint's iteration when resuming into its own folder (its history is continued), else
    None.

    Refuses to start over in a folder holding an earlier run unless --overwrite says so."""
    if args.resume is not None:
        meta = read_checkpoint(args.resume)
        if _same_folder(meta["_folder"], out):
            return int(meta.get("step", 0))
    if (out / "last.json").exists() and not args.overwrite:
        raise OutputFolderError(
            out,
            "already holds a training run (last.json): continue it with --resume "
            f"{out}, add --overwrite to start afresh, or choose another --out",
        )
    return None


@contextmanager
def _stop_on_signals(control: Control) -> Iterator[list[int]]:
    """SIGINT/SIGTERM ask the run to stop (it writes a checkpoint first); a second one ends at
    once."""
    caught: list[int] = []

    def handler(number: int, frame: Any) -> None:
        if caught:
            signal.signal(number, signal.SIG_DFL)
            raise KeyboardInterrupt
        caught.append(number)
        control.request_stop()

    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
            previous[number] = signal.signal(number, handler)
    try:
        yield caught
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _check_exportable(project: Project, path: Path) -> None:
    """Refuse now, not after the whole run, a project whose trained model could not be written
    out."""
    try:
        python_source(project).encode("utf-8")
    except UnicodeEncodeError:
        raise ProjectFileError(
            path,
            "the name or description holds text that cannot be stored as UTF-8 "
            "(a lone surrogate): correct it before training",
        ) from None


def _start_recording(project: Project, args: argparse.Namespace, out: Path) -> RunRecorder:
    """A new run record in `<stem>.runs` beside the project, with TensorBoard files if asked."""
    recorder = RunRecorder.start(
        project,
        runs_root(project),
        "cli",
        out_dir=out,
        overrides={"epochs": args.epochs, "device": args.device},
    )
    if args.tensorboard:
        recorder.log_tensorboard()
    return recorder


def run(args: argparse.Namespace) -> int:
    """Train and report; exit 1 with one line when training fails, 130/143 after SIGINT/SIGTERM
    (once the checkpoint at the point of interruption is written)."""
    project = load_project(args.file)
    _check_exportable(project, args.file)
    if args.data:
        spec = Path(args.data)
        project.data = apply_spec(project.data, str(spec.resolve()) if spec.exists() else args.data)
    _index_data(project)
    out = args.out or args.file.with_name(f"{args.file.stem}-training")
    control = Control()
    progress = Progress(sys.stderr, live=sys.stderr.isatty())
    t0 = time.perf_counter()
    if args.tensorboard:
        if args.no_record:
            raise RunError(
                None, "--tensorboard writes into the run folder: it cannot go with --no-record"
            )
        require_tensorboard()
    with (
        locked_folder(out, f"convstudio train {args.file}") as out,
        _stop_on_signals(control) as caught,
    ):
        continued = _continued_step(args, out)
        trainer = train(
            project, control, out, resume=args.resume, epochs=args.epochs, device=args.device
        )
        # train() checks the graph, settings, data and checkpoint before its first event: a run is
        # recorded only once that event arrived, so a refused run leaves no record behind
        events: Iterator[Any] = itertools.chain([next(trainer)], trainer)
        if not args.no_record:
            try:
                recorder = _start_recording(project, args, out)
            except BaseException:
                trainer.close()
                raise
            events = record_run(events, recorder)
        finished, metrics = None, None
        try:
            for event in events:
                if isinstance(event, Started):
                    metrics = open_history(out, continued)
                    progress.started(event, project.name)
                    if not args.no_record:  # said once training starts: a refused run says one line
                        progress.message(
                            f"recording run '{recorder.record.name}' in {recorder.folder}"
                        )
                elif isinstance(event, StepMetrics):
                    append(metrics, _record(event))
                    progress.step(event)
                elif isinstance(event, EpochMetrics):
                    append(metrics, _record(event), flush=True)
                    progress.epoch(event)
                elif isinstance(event, RunWarning):
                    progress.message(f"warning: {event.message}")
                elif isinstance(event, Finished):
                    finished = event
                    progress.finished(event)
        finally:
            if metrics is not None:
                metrics.close()
        return _summary(project, finished, out, time.perf_counter() - t0, caught)


def _summary(
    project: Project, finished: Finished, out: Path, seconds: float, caught: list[int]
) -> int:
    """Write summary.json and the exported model; print the summary; the exit code."""
    summary = {
        "status": finished.status,
        "message": finished.message,
        "steps": finished.step,
        "epochs": finished.epoch,
        "best_val_accuracy": finished.best_val_accuracy,
        "seconds": round(seconds, 2),
        "checkpoint": finished.checkpoint,
    }
    if caught:
        summary["signal"] = signal.Signals(caught[0]).name
    problem = None
    if finished.status != "failed" and (out / "best.json").exists():
        try:
            code, weights = export_trained(project, out / "best.json", out)
            summary["exported"] = {"code": str(code), "weights": str(weights)}
        except ConvStudioError as exc:
            problem = f"the trained model could not be exported: {exc}"
            summary["export_error"] = str(exc)
    write_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n")
    if finished.status == "failed":
        raise TrainingFailed(finished.message)
    if caught:
        name = signal.Signals(caught[0]).name
        where = (
            f"checkpoint {finished.checkpoint}; continue with --resume {out}"
            if finished.checkpoint
            else "no checkpoint was written"
        )
        print(
            f"convstudio: interrupted by {name} after {finished.step:,} iterations: {where}",
            file=sys.stderr,
        )
        return 128 + caught[0]
    if problem:
        raise TrainingFailed(f"training {finished.status} (results in {out}), but {problem}")
    print(f"{finished.message} in {seconds:.1f} s; results in {out}")
    return 0
