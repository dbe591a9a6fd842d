"""Every public function of `runtime` and `blocks` works when called twice in one process, and
calling it never replaces a package attribute (a lazily imported submodule of the same name once
did)."""

from __future__ import annotations

import inspect
import pkgutil
from pathlib import Path
from typing import Any, Callable

import pytest

import blocks
import runtime
from tests.studio.conftest import LENET


def _calls(tmp: Path) -> dict[str, Callable[[], Any]]:
    project = runtime.load_project(LENET)
    return {
        "runtime.analyze": lambda: runtime.analyze(project),
        "runtime.build_model": lambda: runtime.build_model(project),
        "runtime.export_python": lambda: runtime.export_python(project, tmp / "net.py"),
        "runtime.python_source": lambda: runtime.python_source(project),
        "runtime.load_project": lambda: runtime.load_project(LENET),
        "runtime.loads_project": lambda: runtime.loads_project(project.to_json()),
        "runtime.export_onnx": lambda: runtime.export_onnx(project, str(tmp / "net.onnx")),
        "blocks.all_specs": lambda: blocks.all_specs(),
        "blocks.get_spec": lambda: blocks.get_spec("conv2d"),
        "blocks.format_shape": lambda: blocks.format_shape((3, 8, 8)),
    }


SKIPPED = {"blocks.register": "registers a new block type: calling it twice is refused on purpose"}


def _public_functions() -> set[str]:
    names = set()
    for package in (runtime, blocks):
        for name in package.__all__:
            value = getattr(package, name)
            if inspect.isfunction(value):
                names.add(f"{package.__name__}.{name}")
    return names


def test_every_public_function_is_covered(tmp_path):
    assert _public_functions() == set(_calls(tmp_path)) | set(SKIPPED)


@pytest.mark.parametrize("name", sorted(_public_functions() - set(SKIPPED)))
def test_public_function_called_twice(name, tmp_path):
    package_name, attribute = name.split(".")
    package = {"runtime": runtime, "blocks": blocks}[package_name]
    before = getattr(package, attribute)
    call = _calls(tmp_path)[name]
    first, second = call(), call()
    assert type(first) is type(second)
    assert getattr(package, attribute) is before and not inspect.ismodule(
        getattr(package, attribute)
    )


@pytest.mark.parametrize("package", [runtime, blocks], ids=lambda p: p.__name__)
def test_no_module_shares_its_name_with_a_public_name_of_its_package(package):
    """Importing such a module rebinds the package attribute: `runtime.export_python` was once both
    the function and its module, and whichever came last won."""
    modules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    assert not modules & set(package.__all__)
