"""Import exported files in a fresh interpreter that stops at the first side effect (audit hook)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import importlib.util, os, sys
import torch

SIDE_EFFECTS = ("os.system", "subprocess.", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                "socket.", "os.remove", "os.unlink", "os.rename", "os.rmdir", "shutil.", "os.chmod",
                "os.mkdir",
                "os.kill", "ctypes.", "os.putenv", "os.truncate", "pty.", "webbrowser.")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def hook(event, args):
    bad = event.startswith(SIDE_EFFECTS)
    if event == "open" and len(args) >= 3:
        mode, flags = args[1], args[2]
        bad = bad or (isinstance(mode, str) and any(c in mode for c in "wax+"))
        bad = bad or (isinstance(flags, int) and flags & WRITE_FLAGS)
    if bad:
        sys.stderr.write(f"SIDE EFFECT {event} {args!r:.200}\n")
        sys.stderr.flush()
        os._exit(3)


sys.addaudithook(hook)
for index, path in enumerate(sys.argv[1:]):
    spec = importlib.util.spec_from_file_location(f"exported_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    print("imported", index, flush=True)
"""


def import_quietly(paths: list[Path], cwd: Path) -> subprocess.CompletedProcess:
    """Import each file in a fresh interpreter; on exit code 3 stderr names the side effect."""
    return subprocess.run(
        [sys.executable, "-B", "-c", _CHILD, *map(str, paths)],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=180,
    )
