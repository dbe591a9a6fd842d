"""`convstudio templates`: the gallery of classic networks with their size, cost and history."""

from __future__ import annotations

import argparse
import json

from runtime.format import compact, count_text, shape_text
from runtime.zoo.generate import gallery


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `templates` sub-command."""
    parser = subparsers.add_parser(
        "templates",
        help="list the template networks (parameters, MACs, history)",
        description="List every template network with its parameter count, "
        "multiply-adds, input size and what it introduced.",
    )
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the gallery as an aligned table or as JSON."""
    entries = gallery()
    if args.format == "json":
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return 0
    rows = [("NAME", "YEAR", "INPUT", "PARAMS", "MACS", "INTRODUCED")]
    for e in entries:
        rows.append(
            (
                e["name"],
                str(e["year"]),
                shape_text(e["input"]),
                count_text(e["params"]),
                compact(e["macs"]),
                e["introduced"],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        cells = [
            row[0].ljust(widths[0]),
            row[1].rjust(widths[1]),
            row[2].ljust(widths[2]),
            row[3].rjust(widths[3]),
            row[4].rjust(widths[4]),
            row[5],
        ]
        print("  ".join(cells))
    return 0
