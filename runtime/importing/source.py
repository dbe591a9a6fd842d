"""Load the model a SOURCE names ('path/to/file.py:Name' or 'package.module:Name') and build it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn

from blocks import custom
from runtime.importing.ctor_record import recording_constructors
from runtime.importing.errors import ModelImportError, first_line, user_line


@dataclass(frozen=True)
class LoadedModel:
    """A built user model with where it came from."""

    module: nn.Module
    name: str
    reference: str
    files: frozenset[str]


def parse_args_text(text: str | None) -> tuple[list[Any], dict[str, Any]]:
    """--args JSON: a list (positional), an object (keywords) or [[...], {...}]."""
    if not text:
        return [], {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ModelImportError("--args", f"is not valid JSON: {exc}") from None
    if isinstance(value, dict):
        return [], value
    if isinstance(value, list):
        if len(value) == 2 and isinstance(value[0], list) and isinstance(value[1], dict):
            return list(value[0]), dict(value[1])
        return value, {}
    return [value], {}


def load_model(source: str, args_text: str | None = None) -> LoadedModel:
    """Import SOURCE's code (trusting it), then call the class or factory with the arguments."""
    where, sep, name = source.rpartition(":")
    if not sep or not where or not name.isidentifier():
        raise ModelImportError(
            source, "name the model as path/to/file.py:Name or package.module:Name"
        )
    args, kwargs = parse_args_text(args_text)
    files: set[str] = set()
    if where.endswith(".py"):
        path = Path(where).expanduser().resolve()
        module = _load_file(path, where)
        files.add(str(path))
        reference = f"{path}:{name}"
    else:
        reference = f"{where}:{name}"
        custom.trust(reference)
        try:
            module = custom.load_class_module(where)
        except custom.CustomModuleError as exc:
            raise ModelImportError(where, str(exc)) from None
        if getattr(module, "__file__", None):
            files.add(str(Path(module.__file__).resolve()))
    factory = getattr(module, name, None)
    if factory is None:
        defined = sorted(
            k
            for k, v in vars(module).items()
            if isinstance(v, type) and issubclass(v, nn.Module) and not k.startswith("_")
        )
        hint = f" (it defines {', '.join(defined)})" if defined else ""
        raise ModelImportError(where, f"has no class or function '{name}'{hint}")
    if not callable(factory):
        raise ModelImportError(where, f"'{name}' is not a class or function")
    try:
        with recording_constructors():
            model = factory(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - foreign code or file: any failure becomes one typed line
        line = user_line(exc.__traceback__, files)
        at = f"{where}:{line}" if line else where
        raise ModelImportError(at, f"{name}(...) raised {first_line(exc)}") from None
    if not isinstance(model, nn.Module):
        raise ModelImportError(
            where, f"{name}(...) returned {type(model).__name__}, not an nn.Module"
        )
    return LoadedModel(model.eval(), name, reference, frozenset(files))


def _load_file(path: Path, shown: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelImportError(shown, "does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelImportError(shown, f"cannot be read: {exc}") from None
    try:
        compile(text, str(path), "exec")
    except SyntaxError as exc:
        raise ModelImportError(f"{shown}:{exc.lineno}", f"syntax error: {exc.msg}") from None
    custom.trust(f"{path}:X")
    try:
        return custom.load_file_module(path)
    except Exception as exc:  # noqa: BLE001 - foreign code or file: any failure becomes one typed line
        line = user_line(exc.__traceback__, {str(path)})
        raise ModelImportError(
            f"{shown}:{line}" if line else shown, f"importing it raised {first_line(exc)}"
        ) from None
