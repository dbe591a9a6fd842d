"""`convstudio sweep FILE --space SPACE.json --trials N`: search training settings and block
parameters."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from runtime.cli.trust import add_trust_flag, require_trust
from runtime.project import load_project
from runtime.runs.recorder import runs_root
from runtime.runs.space import apply_values, read_space
from runtime.runs.record import metric_name
from runtime.runs.sweep import SAMPLERS, run_sweep
from runtime.runs.sweep_worker import TrialResult


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `sweep` sub-command."""
    p = subparsers.add_parser(
        "sweep",
        help="hyperparameter search with Optuna (extra: convstudio[sweep])",
        description="Each trial is a recorded run that maximises validation accuracy "
        "(mIoU for a segmentation project); "
        "trials below the median are pruned early. Sweeps started with the "
        "same --storage and --study share one study (across machines with "
        "a database URL).",
    )
    p.add_argument("file", type=Path, help="project file (.json)")
    p.add_argument(
        "--space",
        type=Path,
        required=True,
        help='search space JSON, e.g. {"lr": {"log": [1e-4, 1e-1]}, '
        '"conv1.out_channels": [16, 32]}',
    )
    p.add_argument("--trials", type=int, default=20, help="trials this process runs (default 20)")
    p.add_argument(
        "--sampler", choices=SAMPLERS, default="tpe", help="how values are chosen (default tpe)"
    )
    p.add_argument("--storage", help="Optuna storage URL (default: sqlite file in <project>.runs)")
    p.add_argument("--study", help="study name (default: the project file's name)")
    p.add_argument(
        "--jobs", type=int, default=1, help="trials trained at once, each in its own process"
    )
    p.add_argument("--epochs", type=int, help="override the number of epochs of every trial")
    p.add_argument("--seed", type=int, help="seed of the sampler")
    p.add_argument(
        "--apply-best", action="store_true", help="write the best values into the project file"
    )
    add_trust_flag(p)
    p.set_defaults(handler=run)


def _values(values: dict[str, Any]) -> str:
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()
    )


def run(args: argparse.Namespace) -> int:
    """Run the sweep, one line per trial, then the best values."""
    project = load_project(args.file)
    require_trust(project, args, str(args.file))
    dims = read_space(args.space, project)
    values_of: dict[int, dict[str, Any]] = {}
    metric = metric_name(project.task)

    def show(kind: str, data: Any) -> None:
        if kind == "started":
            number, values, _pid = data
            values_of[number] = values
            print(f"trial {number}: {_values(values)}", file=sys.stderr, flush=True)
        else:
            result: TrialResult = data
            value = "" if result.value is None else f" {metric} {result.value:.2%}"
            print(
                f"trial {result.number} {result.state}{value} in {result.seconds:.1f} s"
                f"{'' if result.state == 'complete' else ': ' + result.message}",
                flush=True,
            )

    report = run_sweep(
        project,
        dims,
        args.trials,
        runs_root(project),
        args.sampler,
        args.storage,
        args.jobs,
        args.study,
        {"epochs": args.epochs},
        args.seed,
        show,
    )
    if report.best_value is None:
        print(f"study '{report.study}' has no completed trial yet ({report.storage})")
        return 1
    print(
        f"best of study '{report.study}': {report.metric} {report.best_value:.2%} "
        f"with {_values(report.best_values)}"
    )
    if args.apply_best:
        best = apply_values(project, report.best_values)
        best.save(args.file)
        print(f"wrote the best values into {args.file}")
    return 0
