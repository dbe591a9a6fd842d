"""The `convstudio` command: one sub-command per module in this package (cmd_*.py).

Whatever happens, a person sees at most one line on stderr: a ConvStudioError is the message itself;
anything else is a bug, reported as one line that says where its full traceback was written;
a reader that closes the pipe early (`convstudio blocks | head -1`) simply ends the command.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import sys
import warnings
from typing import Callable, NoReturn, Sequence

from runtime.cli.crash_report import write_crash_report
from runtime.cli.one_line import one_line
from runtime.errors import ConvStudioError

Handler = Callable[[argparse.Namespace], int]


class OneLineParser(argparse.ArgumentParser):
    """argparse, except that a usage mistake is one line (and exit 1) like every other error."""

    def error(self, message: str) -> NoReturn:
        """Say what is wrong and where help is, then exit 1."""
        _say(f"{self.prog}: error: {message} (see {self.prog} --help)")
        sys.exit(1)


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every sub-command, or with `command` alone when it names one: a command
    imports only what it needs, so `convstudio open` shows the window before torch has loaded."""
    parser = OneLineParser(prog="convstudio", description="Design, analyse, train and export CNNs.")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = sorted(info.name for info in pkgutil.iter_modules(__path__))
    wanted = f"cmd_{command}"
    for name in [wanted] if wanted in names else [n for n in names if n.startswith("cmd_")]:
        importlib.import_module(f"{__name__}.{name}").register(subs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: with no command, open the window on the default project."""
    argv = list(sys.argv[1:] if argv is None else argv)
    argv = argv or ["open"]
    parser = _parser(argv[0])
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    command = args.command or "open"
    for stream in (
        sys.stdout,
        sys.stderr,
    ):  # a lone surrogate in a user's string must not crash a print
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if not sys.warnoptions and not os.environ.get("PYTHONWARNINGS"):
        # libraries' warnings (torch's pickle notes, deprecations) are not the user's to act on and
        # would break the one-line rule; PYTHONWARNINGS=default brings them back
        warnings.simplefilter("ignore")
    try:
        code = handler(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handling below, not at exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except ConvStudioError as exc:
        _say(f"convstudio: error: {exc}")
        return 1
    except KeyboardInterrupt:
        _say("convstudio: interrupted")
        return 130
    except MemoryError as exc:
        report = write_crash_report(command, exc)
        _say(
            f"convstudio {command}: ran out of memory; try a smaller input, batch or model"
            + (f" (details in {report})" if report else "")
        )
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug becomes one line
        report = write_crash_report(command, exc)
        where = (
            f"the full traceback is in {report}" if report else "no traceback file could be written"
        )
        _say(
            f"convstudio {command}: internal error (a bug in ConvStudio, please report it): "
            f"{type(exc).__name__}: {exc}; {where}"
        )
        return 1


def _say(message: str) -> None:
    """Print `message` as exactly one line on stderr (escaped, clipped), whatever it holds."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError, OSError):
        _silence_stdout()
    with contextlib.suppress(BrokenPipeError, ValueError, OSError):  # nowhere left to say it
        print(one_line(message), file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """Point stdout at /dev/null: Python's own flush at exit cannot fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
