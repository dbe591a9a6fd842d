"""`convstudio summary FILE`: the per-layer analysis table (or JSON)."""

from __future__ import annotations

import argparse
import json
import re
import sys

from runtime.analysis import Analysis, analyze
from runtime.errors import ConvStudioError, InvalidGraphError
from runtime.project import Project, load_project
from runtime.report import summary_table
from runtime.segmentation.errors import OutputSizeError
from runtime.segmentation.output_fit import output_fit


class UsageError(ConvStudioError):
    """A command-line value that cannot be used."""


def parse_shape(text: str) -> tuple[int, int, int]:
    """'3x224x224' (or with ×) → (3, 224, 224)."""
    parts = re.split(r"[x×X,]", text.strip())
    if len(parts) != 3 or not all(p.isdigit() and 0 < int(p) <= 16384 for p in parts):
        raise UsageError(f"--input '{text}' is not C×H×W (e.g. 3x224x224)")
    c, h, w = (int(p) for p in parts)
    return c, h, w


def segmentation_note(project: Project, analysis: Analysis) -> str:
    """For a segmentation project: how its output meets the masks (the cropped margin), or why
    it cannot; '' for a classifier or a graph with problems."""
    if project.task != "segmentation" or analysis.problems:
        return ""
    try:
        fit = output_fit(analysis)
    except OutputSizeError as exc:
        return f"cannot train: {exc}"
    h, w = fit.size
    return fit.note() or f"the output ({fit.channels}×{h}×{w}) has the input's size"


def register(subs: argparse._SubParsersAction) -> None:
    """Add the `summary` sub-command."""
    p = subs.add_parser(
        "summary", help="per-layer shapes, parameters, MACs and receptive fields of a project"
    )
    p.add_argument("file")
    p.add_argument("--input", help="input size C×H×W (default: the project's)")
    p.add_argument(
        "--batch", type=int, default=1, help="batch size for activation memory (default 1)"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Analyse and print; with problems, also one error line naming every broken node (exit 1)."""
    project = load_project(args.file)
    if args.batch < 1:
        raise UsageError(f"--batch must be at least 1, got {args.batch}")
    if args.input:
        project.input_shape = parse_shape(args.input)
    analysis = analyze(project, batch_size=args.batch)
    note = segmentation_note(project, analysis)
    if args.format == "json":
        doc = analysis.to_dict(project.graph)
        if project.task == "segmentation":
            doc["segmentation"] = {"note": note}
        print(json.dumps(doc, indent=2))
    else:
        print(summary_table(analysis, project.graph))
        if note:
            print(f"segmentation: {note}")
    if analysis.problems:
        sys.stdout.flush()
        raise InvalidGraphError(analysis.problems)
    return 0
