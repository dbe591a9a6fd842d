"""Run code in a fresh interpreter where only PyTorch (and the standard library) can be imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_BLOCKER = '''
import sys


class _OnlyTorch:
    """Refuse the packages a standalone export must not need (torch tolerates a missing NumPy)."""

    BLOCKED = {"numpy", "safetensors", "PIL", "runtime", "blocks", "studio", "onnx", "onnxruntime"}

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked: torch-only interpreter)")
        return None


sys.meta_path.insert(0, _OnlyTorch())
import warnings
warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
'''


def run_torch_only(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run `code` with `-I` (no user site, PYTHONPATH or current folder on sys.path), blocked."""
    return subprocess.run(
        [sys.executable, "-I", "-B", "-c", _BLOCKER + code],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
