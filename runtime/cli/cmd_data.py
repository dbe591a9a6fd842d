"""`convstudio data SPEC`: an inventory of a data set (classes, counts, image sizes, corrupt
files)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from runtime.cli.progress import ScanProgress
from runtime.data.inventory import Inventory, take_inventory
from runtime.data.settings import parse_data
from runtime.data.spec import section_from_spec

SHOWN_CORRUPT = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `data` sub-command."""
    p = subparsers.add_parser(
        "data",
        help="list a data set's classes, counts, image sizes and bad files",
        description="Inventory of a data set. SPEC: a folder of class folders, a CSV/TSV "
        "label file, WebDataset .tar shards, hf:NAME, a saved Hugging Face "
        "data set, or mnist / digits / shapes.",
    )
    p.add_argument("spec", help="the data set")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument(
        "--channels", type=int, choices=(1, 3), default=3, help="channels the images are read as"
    )
    p.add_argument(
        "--verify", action="store_true", help="decode every image fully (slower; finds more damage)"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the inventory."""
    section = section_from_spec(args.spec)
    settings = parse_data(section, (args.channels, 32, 32), Path.cwd())
    progress = ScanProgress()
    try:
        inventory = take_inventory(settings, args.channels, args.verify, progress)
    finally:
        progress.done()
    if args.format == "json":
        print(json.dumps(inventory.to_json(), indent=2))
    else:
        print(_text(inventory))
    return 0


def _text(inv: Inventory) -> str:
    """The inventory for people."""
    total = sum(inv.train_counts) + sum(inv.val_counts)
    width = max(len(c) for c in inv.classes)
    lines = [
        f"{inv.name} ({inv.source}): {total:,} images in {len(inv.classes)} classes; "
        f"validation: {inv.layout}",
        f"  {'class':<{width}}  {'train':>8}  {'val':>8}",
    ]
    for name, t, v in zip(inv.classes, inv.train_counts, inv.val_counts):
        lines.append(f"  {name:<{width}}  {t:>8,}  {v:>8,}")
    sizes = inv.size_summary()
    if sizes:
        lines.append(
            "image sizes (w×h): " + ", ".join(f"{k} {s[0]}×{s[1]}" for k, s in sizes.items())
        )
        lines.append("modes: " + ", ".join(f"{m} {n:,}" for m, n in sorted(inv.modes.items())))
    lines.append(f"corrupt files: {len(inv.corrupt)}")
    for f, problem in inv.corrupt[:SHOWN_CORRUPT]:
        lines.append(f"  {f}: {problem}")
    if len(inv.corrupt) > SHOWN_CORRUPT:
        lines.append(f"  … and {len(inv.corrupt) - SHOWN_CORRUPT} more")
    return "\n".join(lines)
