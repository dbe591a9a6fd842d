"""Record the constructor arguments of every nn.Module built while a model is instantiated."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

from torch import nn

ATTRIBUTE = "_convstudio_ctor"
"""Instance attribute holding (args, kwargs) of the outermost __init__ call."""


def _subclasses(root: type) -> list[type]:
    found, pending = [], [root]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub not in found:
                found.append(sub)
                pending.append(sub)
    return found


def _wrapped(original: Any) -> Any:
    @functools.wraps(original)
    def init(self: nn.Module, *args: Any, **kwargs: Any) -> None:
        if ATTRIBUTE not in self.__dict__:
            self.__dict__[ATTRIBUTE] = (args, kwargs)
        original(self, *args, **kwargs)

    init.__convstudio_original__ = original  # type: ignore[attr-defined]
    return init


@contextlib.contextmanager
def recording_constructors(extra: list[type] | None = None) -> Iterator[None]:
    """While active, modules remember how they were constructed (see `constructor_arguments`)."""
    patched = []
    for cls in _subclasses(nn.Module) + list(extra or []):
        init = cls.__dict__.get("__init__")
        if init is not None and not hasattr(init, "__convstudio_original__"):
            cls.__init__ = _wrapped(init)
            patched.append((cls, init))
    try:
        yield
    finally:
        for cls, init in patched:
            cls.__init__ = init


def constructor_arguments(module: nn.Module) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """(args, kwargs) a module was built with, when it was built while recording."""
    return module.__dict__.get(ATTRIBUTE)
