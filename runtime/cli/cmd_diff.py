"""`convstudio diff A B`: what changed between two networks (project files or run folders)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from runtime.runs.diff import diff_projects, load_side


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `diff` sub-command."""
    p = subparsers.add_parser(
        "diff",
        help="compare two networks (project files or run folders)",
        description="Nodes are matched by name: added (+), removed (-) and changed (~) "
        "nodes with their changed parameters, then Δparameters, ΔMACs, "
        "Δreceptive field and Δaccuracy (runs only).",
    )
    p.add_argument("a", type=Path, help="project file (.json) or run folder")
    p.add_argument("b", type=Path, help="project file (.json) or run folder")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the diff; exit 0 either way (an identical pair says so)."""
    diff = diff_projects(load_side(args.a), load_side(args.b))
    if args.format == "json":
        print(json.dumps(diff.to_dict(), indent=2, default=str))
    else:
        print("\n".join(diff.lines()))
    return 0
