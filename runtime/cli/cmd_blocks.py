"""`convstudio blocks`: list the block catalogue, with the user's own blocks from their library."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from blocks import CATEGORIES, all_specs
from runtime.userblocks.library import UserLibrary
from runtime.userblocks.location import library_dir


def register(subs: argparse._SubParsersAction) -> None:
    """Add the `blocks` sub-command."""
    p = subs.add_parser("blocks", help="list every block type in the catalogue")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument(
        "--library",
        type=Path,
        metavar="DIR",
        help=f"the folder of your own blocks (default: the window's, {library_dir()})",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the catalogue by category, the user's library under "My blocks"; a library file that
    cannot be used is one line on stderr and the rest is listed."""
    library = UserLibrary(args.library or library_dir())
    for problem in library.load():
        print(f"convstudio blocks: skipped {problem}", file=sys.stderr)
    specs = all_specs()
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "title": s.title,
                        "category": s.category,
                        "explanation": s.explanation,
                        "inputs": {"min": s.min_inputs, "max": s.max_inputs},
                        "params": [
                            {"name": p.name, "kind": p.kind, "default": p.default, "help": p.help}
                            for p in s.params
                        ],
                    }
                    for s in specs
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    width = max(len(s.id) for s in specs)
    for category in CATEGORIES:
        members = [s for s in specs if s.category == category]
        if not members:
            continue
        print(f"{category}:")
        for s in members:
            params = ", ".join(p.name for p in s.params)
            print(f"  {s.id.ljust(width)}  {s.title}" + (f"  ({params})" if params else ""))
    print(
        f"\n{len(specs)} block types"
        + (f" ({len(library.blocks)} from {library.folder})" if library.blocks else "")
    )
    return 0
