"""`convstudio continue FILE RUN`: start the project from a run's trained weights where nothing
changed."""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.cli.trust import add_trust_flag, require_trust
from runtime.project import load_project
from runtime.runs.continue_from import continue_from_run
from runtime.runs.recorder import runs_root
from runtime.runs.store import RunStore


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `continue` sub-command."""
    p = subparsers.add_parser(
        "continue",
        help="copy a run's weights into the unchanged nodes of a project",
        description="Every tensor whose node name and shape are unchanged since RUN is "
        "copied into the project's weights (<stem>.weights.safetensors "
        "beside it); the report lists copied and not-copied nodes.",
    )
    p.add_argument(
        "file", type=Path, help="project file (.json); it is saved with the weights reference"
    )
    p.add_argument("run", help="run folder, or a run id or unique name of the project's runs")
    p.add_argument(
        "--checkpoint", choices=("best", "last"), default="best", help="which weights of the run"
    )
    add_trust_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Copy, save, report."""
    project = load_project(args.file)
    require_trust(project, args, str(args.file))
    folder = Path(args.run)
    if not folder.is_dir():
        folder = RunStore(runs_root(project)).get(args.run).folder
    report = continue_from_run(project, folder, args.file, args.checkpoint)
    project.save(args.file)
    print("\n".join(report.lines()))
    return 0
