"""blocks/ and runtime/ never import Qt, so everything but the window runs headless."""

import subprocess
import sys

CODE = """
import importlib, pkgutil, sys
import blocks, runtime
for pkg in (blocks, runtime):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6"))
print(",".join(bad))
"""


def test_headless_packages_do_not_import_qt():
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
