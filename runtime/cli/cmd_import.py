"""`convstudio import SOURCE -o project.json`: a PyTorch model or an ONNX file as a project."""

from __future__ import annotations

import argparse
import sys

from runtime.cli.trust import add_trust_flag, require_source_trust
from runtime.errors import ConvStudioError

HELP = """Import a model as a ConvStudio project (with its weights, saved next to it).
SOURCE is path/to/file.py:Name or package.module:Name (an nn.Module class or a function returning
one), or a .onnx file. Importing PyTorch code RUNS THAT CODE (its module and the model's
constructor): import only models whose code you trust; it is refused without --trust-code. ONNX
files are only read."""


def register(subs: argparse._SubParsersAction) -> None:
    """Add the `import` sub-command."""
    p = subs.add_parser(
        "import", help="import a PyTorch model (runs its code) or an ONNX file", description=HELP
    )
    p.add_argument("source", help="file.py:Name, package.module:Name or model.onnx")
    p.add_argument("-o", "--out", required=True, help="project file to write (.json)")
    p.add_argument(
        "--input", default=None, help="input size CxHxW (default 3x224x224; ONNX: from the file)"
    )
    p.add_argument(
        "--args",
        default=None,
        help="constructor arguments as JSON: a list, an object, or [list, object]",
    )
    add_trust_flag(p, "SOURCE and the imported model's custom modules")
    p.set_defaults(handler=run)


def parse_input(text: str | None) -> tuple[int, int, int] | None:
    """'3x32x32' → (3, 32, 32)."""
    if text is None:
        return None
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 3 or not all(p.strip().isdigit() and 0 < int(p) <= 16384 for p in parts):
        raise ConvStudioError(f"--input '{text}' is not CxHxW (e.g. 3x224x224)")
    c, h, w = (int(p) for p in parts)
    return c, h, w


def run(args: argparse.Namespace) -> int:
    """Import, save the project and its weights, and report what was made."""
    shape = parse_input(args.input)
    if args.source.lower().endswith(".onnx"):
        from runtime.importing.onnx_import import import_onnx

        result = import_onnx(args.source, shape)
    else:
        from runtime.importing.pytorch import import_pytorch

        require_source_trust(args.source, args)

        result = import_pytorch(args.source, shape or (3, 224, 224), args.args)
    from runtime.analysis import analyze
    from runtime.importing.save import save_import

    path, weights = save_import(result, args.out, args.source)
    analysis = analyze(result.project)
    graph = result.project.graph
    customs = sum(n.block == "custom_module" for n in graph.nodes.values())
    print(
        f"imported {result.project.name}: {len(graph.nodes)} nodes ({customs} custom modules), "
        f"{analysis.params_total:,} parameters",
        file=sys.stderr,
    )
    for line in result.warnings:
        print(f"warning: {line}", file=sys.stderr)
    print(f"wrote {path} and {weights}", file=sys.stderr)
    return 0
