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


LAZY_EXPORTS = """
import importlib, pkgutil
import blocks, runtime
for pkg in (blocks, runtime):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
wrong = []
for name in ("runtime", "runtime.data", "runtime.training"):
    package = importlib.import_module(name)
    for export in package.__all__:
        value = getattr(package, export)
        if type(value).__name__ == "module":
            wrong.append(f"{name}.{export} is a module")
print(";".join(wrong))
"""


def test_lazily_exported_names_stay_bound_to_their_definitions():
    """A package that exports names on first use must not hand out a same-named submodule
    instead (importing a submodule binds its name on the package)."""
    result = subprocess.run(
        [sys.executable, "-c", LAZY_EXPORTS], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
