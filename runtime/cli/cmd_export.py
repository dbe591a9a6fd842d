"""`convstudio export FILE -o OUT`: standalone PyTorch code (optionally trained) or ONNX."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime.cli.trust import add_trust_flag, require_trust
from runtime.errors import ConvStudioError
from runtime.python_export import export_python
from runtime.project import load_project


class ExportUsageError(ConvStudioError):
    """Export options that do not go together."""


def register(subs: argparse._SubParsersAction) -> None:
    """Add the `export` sub-command."""
    p = subs.add_parser(
        "export",
        help="export a project as standalone PyTorch code or ONNX",
        description="Write the network as one PyTorch file that needs only torch, or as "
        "ONNX. With --checkpoint, the Python file also loads the trained "
        "weights (written beside it as OUT.safetensors and OUT.pt), "
        "normalises raw pixels as training did and offers predict().",
    )
    p.add_argument("file")
    p.add_argument(
        "-o", "--out", required=True, help="output file (.py or .onnx), or a folder (train-script)"
    )
    p.add_argument(
        "--format",
        choices=("python", "onnx", "train-script"),
        help="default: from the output file's extension; train-script writes model.py, "
        "train.py (runs alone or under torchrun), the initial weights, the data and a README",
    )
    p.add_argument(
        "--checkpoint",
        type=Path,
        help="a training checkpoint (.json, or a run folder: its best.json) whose weights to ship",
    )
    add_trust_flag(p)
    p.set_defaults(handler=run)


def _best(checkpoint: Path) -> Path:
    """A run folder stands for its best checkpoint (else its last)."""
    if checkpoint.is_dir():
        best = checkpoint / "best.json"
        return best if best.exists() else checkpoint / "last.json"
    return checkpoint


def run(args: argparse.Namespace) -> int:
    """Write the export and say where it went."""
    project = load_project(args.file)
    fmt = args.format or ("onnx" if args.out.lower().endswith(".onnx") else "python")
    if fmt == "train-script":
        if args.checkpoint is not None:
            raise ExportUsageError(
                "--checkpoint does not go with train-script: the script trains from the "
                "project's initial weights"
            )
        from runtime.codegen.train_script import export_train_script

        written = export_train_script(project, args.out)
        names = ", ".join(p.name for p in written.files)
        print(f"wrote {names} into {written.folder}", file=sys.stderr)
        return 0
    if fmt == "onnx" or args.checkpoint is not None:  # both build the network
        require_trust(project, args, str(args.file))
    if fmt == "onnx":
        if args.checkpoint is not None:
            raise ExportUsageError(
                "--checkpoint works with Python export only; ONNX export writes the "
                "untrained network"
            )
        from runtime.onnx_export import export_onnx

        path = export_onnx(project, args.out)
    elif args.checkpoint is not None:
        from runtime.codegen.trained import export_trained_model

        out = Path(args.out)
        files = export_trained_model(project, _best(args.checkpoint), out.parent, out.stem)
        print(
            f"wrote {files.code} with {files.safetensors.name} and {files.state_dict.name}",
            file=sys.stderr,
        )
        return 0
    else:
        path = export_python(project, args.out)
    print(f"wrote {path}", file=sys.stderr)
    return 0
