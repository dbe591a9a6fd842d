"""`convstudio open [FILE]`: the editor window (Qt is imported only here, inside the handler)."""
from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_PROJECT = Path(__file__).resolve().parents[2] / "assets" / "templates" / "lenet5.json"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `open` sub-command."""
    parser = subparsers.add_parser("open", help="open the ConvStudio window on a project (default: LeNet-5)")
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_PROJECT, help="project file (.json)")
    parser.add_argument("--report-startup", action="store_true",
                        help="print the time the window was shown, then quit (for bench/bench_startup.py)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the window until it is closed."""
    from studio.app import run
    return run(args.file, report_startup=args.report_startup)
