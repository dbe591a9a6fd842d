"""`convstudio export FILE -o OUT`: standalone PyTorch code or ONNX."""
from __future__ import annotations

import argparse
import sys

from runtime.export_python import export_python
from runtime.project import load_project


def register(subs: argparse._SubParsersAction) -> None:
    """Add the `export` sub-command."""
    p = subs.add_parser("export", help="export a project as standalone PyTorch code or ONNX")
    p.add_argument("file")
    p.add_argument("-o", "--out", required=True, help="output file (.py or .onnx)")
    p.add_argument("--format", choices=("python", "onnx"), help="default: from the output file's extension")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the export and say where it went."""
    project = load_project(args.file)
    fmt = args.format or ("onnx" if args.out.lower().endswith(".onnx") else "python")
    if fmt == "onnx":
        from runtime.onnx_export import export_onnx
        path = export_onnx(project, args.out)
    else:
        path = export_python(project, args.out)
    print(f"wrote {path}", file=sys.stderr)
    return 0
