"""`convstudio ablate FILE --weights CKPT`: which layers matter, without retraining."""

from __future__ import annotations

import argparse
import json

from runtime.cli.insight_common import add_model_arguments, open_model
from runtime.insight.ablation import AblationTable, ablation_table
from runtime.insight.errors import InsightSettingError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `ablate` sub-command."""
    p = subparsers.add_parser(
        "ablate",
        help="accuracy lost when each layer is bypassed or its channels zeroed",
        description="For every layer: validation accuracy with the layer run as the "
        "identity (where the shapes allow) and with its most active "
        "channels set to zero; no retraining.",
    )
    add_model_arguments(p)
    p.add_argument(
        "--samples", type=int, default=1000, help="validation images to use (default 1000)"
    )
    p.add_argument("--zero", type=int, help="channels to zero per layer (default: half of them)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(handler=run)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{-value * 100:+.1f}"


def format_table(table: AblationTable) -> str:
    """A plain-text table, one layer a line."""
    lines = [
        f"intact network: {table.baseline:.1%} on {table.samples:,} validation images",
        "",
        f"{'layer':<20} {'block':<14} {'bypassed':>9} {'Δ pts':>7} {'zeroed':>10} {'accuracy':>9} "
        f"{'Δ pts':>7}  note",
    ]
    for r in table.rows:
        zeroed = f"{r.zeroed}/{r.channels}" if r.zeroed else "—"
        lines.append(
            f"{r.layer:<20} {r.block:<14} {_percent(r.bypass_accuracy):>9} "
            f"{_points(table.drop(r.bypass_accuracy)):>7} {zeroed:>10} "
            f"{_percent(r.zero_accuracy):>9} "
            f"{_points(table.drop(r.zero_accuracy)):>7}  {r.bypass_note}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Measure and print the table."""
    if args.samples < 1:
        raise InsightSettingError("--samples", "must be at least 1")
    if args.zero is not None and args.zero < 0:
        raise InsightSettingError("--zero", "must be 0 or more")
    table = ablation_table(open_model(args, need_captum=False), args.samples, args.zero)
    print(json.dumps(table.to_dict(), indent=2) if args.format == "json" else format_table(table))
    return 0
