"""The `convstudio` command: one sub-command per module in this package (cmd_*.py)."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Callable, Sequence

from runtime.errors import ConvStudioError

Handler = Callable[[argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convstudio", description="Design, analyse, train and export CNNs.")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{info.name}").register(subs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: with no command, open the window on the default project."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(argv or ["open"])
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except ConvStudioError as exc:
        print(f"convstudio: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("convstudio: interrupted", file=sys.stderr)
        return 130
