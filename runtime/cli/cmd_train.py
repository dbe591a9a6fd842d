"""`convstudio train FILE`: train headless with a progress line, metrics as JSON lines, checkpoints,
a summary."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runtime.atomic_write import write_atomic
from runtime.cli.crash_report import write_crash_report
from runtime.cli.distributed_launch import (
    DistributedRunError,
    Launch,
    add_arguments,
    check_launch,
    launch,
    quiet_output,
    record_failure,
    worker_rank,
)
from runtime.cli.progress import ScanProgress
from runtime.cli.trust import add_trust_flag, require_trust
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
from runtime.training.distributed import World
from runtime.training.event_link import EventSender
from runtime.training.history import append, open_history
from runtime.training.machine import gpu_count, processes_for
from runtime.training.settings import parse_training
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
    add_arguments(p)
    add_trust_flag(p)
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
    fields = {k: v for k, v in vars(event).items() if k not in ("confusion", "miou", "class_iou")}
    line = {"kind": "epoch", **fields}
    if event.miou is not None:  # segmentation: per-pixel figures (NaN: a class never seen)
        line["miou"] = event.miou
        line["pixel_acc"] = event.val_accuracy
        line["class_iou"] = [None if math.isnan(v) else v for v in event.class_iou]
    return {**line, "confusion": event.confusion.tolist()}


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
    (once the checkpoint at the point of interruption is written).

    With --nproc-per-node, start that many processes under torchrun; a process torchrun started
    trains its share and rank 0 writes everything."""
    planned = check_launch(args)
    rank = worker_rank()
    if planned is None and rank is None and args.device != "cpu":
        count = processes_for(load_project(args.file).training)
        if count > 1:  # the project asks for every GPU of this machine
            planned = Launch(count)
    if rank is not None:
        return _as_worker(args, rank)
    if planned is not None:
        return _launch(args, planned)
    return _train(args, None)


def _project(args: argparse.Namespace) -> Project:
    """The project, checked for export, with --data applied."""
    project = load_project(args.file)
    require_trust(project, args, str(args.file))
    _check_exportable(project, args.file)
    if args.data:
        spec = Path(args.data)
        project.data = apply_spec(project.data, str(spec.resolve()) if spec.exists() else args.data)
    return project


def _out(args: argparse.Namespace) -> Path:
    """The output folder: --out, or <project>-training beside the file."""
    return args.out or args.file.with_name(f"{args.file.stem}-training")


def _launch(args: argparse.Namespace, planned: Launch) -> int:
    """Check what can be checked here (one line, before any process starts), then run torchrun."""
    project = _project(args)
    settings = parse_training(project.training, epochs=args.epochs, device=args.device)
    gpus = gpu_count()
    if settings.device != "cpu" and gpus and planned.nproc_per_node > gpus:
        raise DistributedRunError(
            f"--nproc-per-node {planned.nproc_per_node} asks for more processes than this "
            f"machine's {gpus} GPU{'' if gpus == 1 else 's'}: one process per GPU, or --device cpu"
        )
    _index_data(project)  # scanned once here; the processes read the cached index
    out = _out(args).resolve()
    if planned.node_rank == 0:
        _continued_step(args, out)
    worker = ["train", str(args.file.resolve()), "--out", str(out)]
    worker += ["--collective-timeout", str(args.collective_timeout)]
    for flag, value in (("--epochs", args.epochs), ("--device", args.device)):
        if value is not None:
            worker += [flag, str(value)]
    if args.resume is not None:
        worker += ["--resume", str(args.resume.resolve())]
    if args.data:
        worker += ["--data", str(args.data)]
    for flag, on in (
        ("--overwrite", args.overwrite),
        ("--tensorboard", args.tensorboard),
        ("--no-record", args.no_record),
    ):
        if on:
            worker.append(flag)
    return launch(planned, worker)


def _as_worker(args: argparse.Namespace, rank: int) -> int:
    """One process of a torchrun job: train; a failure becomes one line for the launcher."""
    import torch.distributed as dist

    world = World.from_environment(args.collective_timeout)
    if not world.main:
        quiet_output()
    try:
        return _train(args, world)
    except KeyboardInterrupt:
        record_failure(rank, "interrupted")
        return 130
    except ConvStudioError as exc:
        message = str(exc)
    except dist.DistError as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        message = f"lost contact with the other processes ({first})"
    except Exception as exc:  # noqa: BLE001 - reported as one line naming the rank
        report = write_crash_report("train", exc)
        message = f"internal error: {type(exc).__name__}: {exc}" + (
            f"; the full traceback is in {report}" if report else ""
        )
    if record_failure(rank, message):
        return 1
    raise DistributedRunError(f"rank {rank} failed: {message}")


def _train(args: argparse.Namespace, world: World | None) -> int:
    """Train in this process (alone, or as one process of `world`)."""
    project = _project(args)
    if world is None:
        _index_data(project)
    out = _out(args)
    if world is not None and not world.main:
        return _follow(args, project, world)
    control = Control()
    progress = Progress(sys.stderr, live=sys.stderr.isatty())
    t0 = time.perf_counter()
    if args.tensorboard:
        if args.no_record:
            raise RunError(
                None, "--tensorboard writes into the run folder: it cannot go with --no-record"
            )
        require_tensorboard()
    signals = _stop_on_signals(control) if world is None else contextlib.nullcontext([])
    with (
        locked_folder(out, f"convstudio train {args.file}") as out,
        signals as caught,
    ):
        continued = _continued_step(args, out)
        trainer = train(
            project,
            control,
            out,
            resume=args.resume,
            world=world,
            epochs=args.epochs,
            device=args.device,
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
        sender = EventSender.from_environment(control) if world is not None else None
        try:
            for event in events:
                if sender is not None:
                    sender.send(event)
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
            if sender is not None:
                sender.close()
        return _summary(project, finished, out, time.perf_counter() - t0, caught)


def _follow(args: argparse.Namespace, project: Project, world: World) -> int:
    """A process other than rank 0: train its share silently; rank 0 reports and writes."""
    events = train(project, None, None, args.resume, world, epochs=args.epochs, device=args.device)
    finished = None
    for event in events:
        if isinstance(event, Finished):
            finished = event
    if finished is not None and finished.status == "failed":
        raise TrainingFailed(finished.message)
    return 0


def best_key(task: str) -> str:
    """summary.json's key for the best validation figure: mIoU when segmenting, else accuracy."""
    return "best_val_miou" if task == "segmentation" else "best_val_accuracy"


def _summary(
    project: Project, finished: Finished, out: Path, seconds: float, caught: list[int]
) -> int:
    """Write summary.json and the exported model; print the summary; the exit code."""
    summary = {
        "status": finished.status,
        "message": finished.message,
        "steps": finished.step,
        "epochs": finished.epoch,
        # a segmentation run's best is its validation mIoU (what its `best` checkpoint ranks by)
        best_key(project.task): finished.best_val_accuracy,
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
