"""A module loaded on its first attribute access.

The catalogue names torch classes only inside the functions that build modules, so reading it
(titles, parameters, checks, the palette) need not load torch: the window shows first and torch,
about two seconds on a cold disk, loads behind it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable


class LazyModule:
    """Stands for the module `name`; the first attribute read imports it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy(name: str) -> Any:
    """The module `name`, imported when first used (typed Any so attribute reads check as usual)."""
    return LazyModule(name)


def lazy_exports(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A package's module `__getattr__` (PEP 562): each exported name is imported from the module
    `where[name]` the first time it is read, so importing one submodule does not load them all."""

    def module_getattr(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module '{package}' has no attribute '{name}'")
        return getattr(importlib.import_module(module), name)

    return module_getattr
