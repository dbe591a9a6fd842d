"""`convstudio blocks`: list the block catalogue."""

from __future__ import annotations

import argparse
import json

from blocks import CATEGORIES, all_specs


def register(subs: argparse._SubParsersAction) -> None:
    """Add the `blocks` sub-command."""
    p = subs.add_parser("blocks", help="list every block type in the catalogue")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the catalogue by category."""
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
    print(f"\n{len(specs)} block types")
    return 0
