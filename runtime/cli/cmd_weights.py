"""`convstudio weights FILE --load WEIGHTS [-o OUT]`: load pretrained weights into a project."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime.cli.trust import add_trust_flag, require_trust
from runtime.project import load_project


def register(subs: argparse._SubParsersAction) -> None:
    """Add the `weights` sub-command."""
    p = subs.add_parser(
        "weights",
        help="load pretrained weights (.safetensors or a .pt/.pth state dict)",
        description="Match a weight file's keys to the project (by name, torchvision's "
        "names included, then by order and shape), report what matched, and "
        "save the weights next to the project, referenced from it. .pt/.pth "
        "files are read with torch.load(weights_only=True): tensors only.",
    )
    p.add_argument("file", help="project file")
    p.add_argument(
        "--load", required=True, metavar="WEIGHTS", help=".safetensors, .pt or .pth file"
    )
    p.add_argument("-o", "--out", default=None, help="project file to write (default: FILE itself)")
    add_trust_flag(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load, report and save."""
    from runtime.weights.project_weights import load_weights_into

    project = load_project(args.file)
    require_trust(project, args, str(args.file))
    out = Path(args.out or args.file)
    report = load_weights_into(project, args.load, out)
    project.save(out)
    for line in report.lines():
        print(line, file=sys.stderr)
    print(f"wrote {out} with its weights in {project.extra['weights']['file']}", file=sys.stderr)
    return 0
