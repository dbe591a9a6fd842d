"""`convstudio train FILE`: train headless with a progress line, metrics as JSON lines, checkpoints, a summary."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import IO

from runtime.cli.progress import ScanProgress
from runtime.codegen.trained import export_trained
from runtime.data.settings import parse_data
from runtime.data.spec import apply_spec
from runtime.data.splits import open_splits
from runtime.errors import ConvStudioError
from runtime.project import load_project
from runtime.runs.errors import RunError
from runtime.runs.recorder import RunRecorder, record_run, runs_root
from runtime.runs.tensorboard import require as require_tensorboard
from runtime.training import EpochMetrics, Finished, RunWarning, Started, StepMetrics, train


class TrainingFailed(ConvStudioError):
    """Training ran but ended in failure (non-finite loss, out of memory)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `train` sub-command."""
    p = subparsers.add_parser("train", help="train a project without the window",
                              description="Train a project headless; writes metrics.jsonl, checkpoints "
                                          "(safetensors + JSON) and the exported model into --out.")
    p.add_argument("file", type=Path, help="project file (.json)")
    p.add_argument("--epochs", type=int, help="override the number of epochs")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), help="override the device")
    p.add_argument("--out", type=Path, help="output folder (default: <project>-training beside the file)")
    p.add_argument("--resume", type=Path, help="continue from a checkpoint (.json or a folder with last.json)")
    p.add_argument("--tensorboard", action="store_true",
                   help="also write TensorBoard event files into the run folder (extra: convstudio[tensorboard])")
    p.add_argument("--no-record", action="store_true",
                   help="do not record the run in <project>.runs beside the project file")
    p.add_argument("--data", metavar="SPEC",
                   help="train on this data instead of the project's: a folder, a CSV/TSV file, "
                        ".tar shards, hf:NAME or a saved data set")
    p.set_defaults(handler=run)


def _index_data(project) -> None:
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


def _bar(done: int, total: int, width: int = 24) -> str:
    """A text progress bar."""
    filled = int(width * done / max(1, total))
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _progress(event: StepMetrics, start: Started, t0: float, out: IO[str]) -> None:
    """Rewrite the progress line on stderr."""
    total = start.epochs * start.steps_per_epoch
    done = event.step - start.start_epoch * start.steps_per_epoch
    elapsed = time.perf_counter() - t0
    eta = elapsed / max(1, done) * (total - event.step)
    out.write(f"\repoch {event.epoch + 1}/{start.epochs} {_bar(event.step, total)} {event.step}/{total}  "
              f"loss {event.loss:.4f}  acc {event.accuracy:.1%}  {event.samples_per_s:,.0f} samples/s  "
              f"ETA {int(eta // 60)}:{int(eta % 60):02d} ")
    out.flush()


def _record(event: StepMetrics | EpochMetrics) -> dict:
    """One JSON line of metrics."""
    if isinstance(event, StepMetrics):
        return {"kind": "step", **vars(event)}
    fields = {k: v for k, v in vars(event).items() if k != "confusion"}
    return {"kind": "epoch", **fields, "confusion": event.confusion.tolist()}


def run(args: argparse.Namespace) -> int:
    """Train and report; exit 1 with one line when training fails."""
    project = load_project(args.file)
    if args.data:
        spec = Path(args.data)
        project.data = apply_spec(project.data, str(spec.resolve()) if spec.exists() else args.data)
    _index_data(project)
    out = args.out or args.file.with_name(f"{args.file.stem}-training")
    out.mkdir(parents=True, exist_ok=True)
    err, start, t0, finished = sys.stderr, None, time.perf_counter(), None
    events = train(project, out_dir=out, resume=args.resume, epochs=args.epochs, device=args.device)
    if args.tensorboard:
        if args.no_record:
            raise RunError(None, "--tensorboard writes into the run folder: it cannot go with --no-record")
        require_tensorboard()
    if not args.no_record:
        recorder = RunRecorder.start(project, runs_root(project), "cli", out_dir=out,
                                     overrides={"epochs": args.epochs, "device": args.device})
        if args.tensorboard:
            recorder.log_tensorboard()
        events = record_run(events, recorder)
        err.write(f"recording run '{recorder.record.name}' in {recorder.folder}\n")
    with open(out / "metrics.jsonl", "w", encoding="utf-8") as metrics:
        for event in events:
            if isinstance(event, Started):
                start = event
                err.write(f"training {project.name} on {event.device}: {event.train_size:,} training and "
                          f"{event.val_size:,} validation samples, {event.epochs} epochs\n")
            elif isinstance(event, StepMetrics):
                _progress(event, start, t0, err)
                metrics.write(json.dumps(_record(event)) + "\n")
            elif isinstance(event, EpochMetrics):
                metrics.write(json.dumps(_record(event)) + "\n")
                metrics.flush()
                err.write(f"\repoch {event.epoch}/{start.epochs}: train loss {event.train_loss:.4f}, "
                          f"val loss {event.val_loss:.4f}, val accuracy {event.val_accuracy:.2%}"
                          f"{' (best)' if event.best else ''}" + " " * 30 + "\n")
            elif isinstance(event, RunWarning):
                err.write(f"warning: {event.message}\n")
            elif isinstance(event, Finished):
                finished = event
                err.write("\r" + " " * 100 + "\r")
    return _summary(project, finished, out, time.perf_counter() - t0)


def _summary(project, finished: Finished, out: Path, seconds: float) -> int:
    """Write summary.json and the exported model; print the summary; the exit code."""
    summary = {"status": finished.status, "message": finished.message, "steps": finished.step,
               "epochs": finished.epoch, "best_val_accuracy": finished.best_val_accuracy,
               "seconds": round(seconds, 2), "checkpoint": finished.checkpoint}
    if finished.status != "failed" and (out / "best.json").exists():
        code, weights = export_trained(project, out / "best.json", out)
        summary["exported"] = {"code": str(code), "weights": str(weights)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if finished.status == "failed":
        raise TrainingFailed(finished.message)
    print(f"{finished.message} in {seconds:.1f} s; results in {out}")
    return 0
