"""`convstudio open [FILE]`: the editor window (Qt is imported only here, inside the handler)."""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.cli.display_check import display_problem
from runtime.errors import ConvStudioError
from runtime.installed import INSTALL_ROOT

DEFAULT_PROJECT = INSTALL_ROOT / "assets" / "templates" / "lenet5.json"
"""What the window opens (as an untitled copy) when no file is given."""


class NoDisplayError(ConvStudioError):
    """The window cannot open: no display, or a display Qt cannot use."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `open` sub-command."""
    parser = subparsers.add_parser(
        "open",
        help="open the ConvStudio window on a project (default: an untitled copy of LeNet-5)",
    )
    parser.add_argument("file", nargs="?", type=Path, default=None, help="project file (.json)")
    parser.add_argument(
        "--report-startup",
        action="store_true",
        help="print the time the window was shown, then quit (for bench/bench_startup.py)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the window until it is closed; a bad file or a missing display is one line, before Qt."""
    from runtime.project import load_project

    project = load_project(args.file or DEFAULT_PROJECT)
    if args.file is None:
        project.path = None  # the default project is an untitled copy: Save asks where to
    problem = display_problem()
    if problem:
        raise NoDisplayError(problem)
    from studio.app import run

    return run(args.file, report_startup=args.report_startup, project=project)
