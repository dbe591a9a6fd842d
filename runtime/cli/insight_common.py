"""What the `explain`, `ablate` and `attack` commands share: the project with its trained
weights."""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.cli.trust import add_trust_flag, require_trust
from runtime.insight.extra import captum_available
from runtime.insight.errors import MissingExtraError
from runtime.insight.session import Session, open_session
from runtime.project import load_project


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """FILE and --weights."""
    parser.add_argument("file", type=Path, help="project file (.json)")
    parser.add_argument(
        "--weights",
        type=Path,
        required=True,
        help="checkpoint (.json, a training folder, or a .safetensors weights file)",
    )
    add_trust_flag(parser)


def open_model(args: argparse.Namespace, need_captum: bool = True) -> Session:
    """The project and its weights, ready to study (Captum checked first: nothing slow before the
    error)."""
    if need_captum and not captum_available():
        raise MissingExtraError("Captum")
    project = load_project(args.file)
    require_trust(project, args, str(args.file))
    return open_session(project, args.weights)
