"""Custom module references, 'package.module:Class' or 'path/to/file.py:Class', resolved to classes.

Resolving a reference imports (runs) the user's code. Classes from torch itself always resolve; any
other reference resolves only once its module has been trusted in this process with `trust`:
importing a model trusts its source, and a person can trust a project's code after being asked.
A project file alone never makes ConvStudio run code.
"""

from __future__ import annotations

import ast

import hashlib
import importlib
import importlib.util
import json
import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blocks.errors import BlockError
from blocks.lazy import lazy

if TYPE_CHECKING:
    from torch import nn
else:
    nn = lazy("torch.nn")

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_TRUSTED: set[str] = set()
_FILE_MODULES: dict[tuple[str, float], Any] = {}
_generation = 0


class CustomModuleError(BlockError):
    """A custom module reference or its arguments that cannot be used."""


def split_reference(reference: str) -> tuple[str, str]:
    """('module or file', 'Qual.Name') of a reference; CustomModuleError when malformed."""
    where, sep, qualname = reference.strip().rpartition(":")
    if not sep or not where or not _DOTTED.match(qualname):
        raise CustomModuleError(
            f"'{reference}' is not a module reference: write package.module:Class "
            "or path/to/file.py:Class"
        )
    if not where.endswith(".py") and not _DOTTED.match(where):
        raise CustomModuleError(f"'{where}' is neither a dotted module name nor a .py file")
    return where, qualname


def is_file_reference(reference: str) -> bool:
    """True when the reference names a .py file rather than an importable module."""
    return split_reference(reference)[0].endswith(".py")


def _trust_key(where: str) -> str:
    return str(Path(where).expanduser().resolve()) if where.endswith(".py") else where.split(".")[0]


def is_trusted(reference: str) -> bool:
    """True when resolving `reference` may import its code (torch, or trusted in this process)."""
    where, _ = split_reference(reference)
    return where == "torch" or where.startswith("torch.") or _trust_key(where) in _TRUSTED


def trust(reference: str) -> None:
    """Allow this process to import the code a reference names (its file, or its top-level
    package)."""
    global _generation
    key = _trust_key(split_reference(reference)[0])
    if key not in _TRUSTED:
        _TRUSTED.add(key)
        _generation += 1


def generation() -> int:
    """A number that changes whenever trust or a loaded file changes (for caches of resolved
    blocks)."""
    return _generation


def load_class(reference: str) -> type[nn.Module]:
    """The nn.Module subclass a reference names; CustomModuleError says why it cannot be had."""
    where, qualname = split_reference(reference)
    if not is_trusted(reference):
        raise CustomModuleError(
            f"runs code from '{where}', which is not trusted yet: "
            "trust the project's code to use it"
        )
    module = _load_file(where) if where.endswith(".py") else _import(where)
    obj: Any = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise CustomModuleError(f"'{where}' has no class '{qualname}'")
    if not (isinstance(obj, type) and issubclass(obj, nn.Module)):
        raise CustomModuleError(f"'{qualname}' in '{where}' is not an nn.Module class")
    return obj


def load_class_module(name: str) -> Any:
    """Import a dotted module (CustomModuleError when it fails)."""
    return _import(name)


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - foreign code or file: any failure becomes one typed line
        raise CustomModuleError(f"cannot import '{name}': {type(exc).__name__}: {exc}") from None


def _load_file(where: str) -> Any:
    path = Path(where).expanduser().resolve()
    try:
        stamp = path.stat().st_mtime
    except OSError:
        raise CustomModuleError(f"'{where}' does not exist") from None
    cached = _FILE_MODULES.get((str(path), stamp))
    if cached is not None:
        return cached
    return load_file_module(path)


def load_file_module(path: Path) -> Any:
    """Import a .py file under a private module name (its folder is importable while it loads)."""
    global _generation
    path = Path(path).resolve()
    stamp = path.stat().st_mtime
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    name = f"convstudio_user_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CustomModuleError(f"'{path}' cannot be loaded as Python")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.parent)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
    _FILE_MODULES[(str(path), stamp)] = module
    _generation += 1
    return module


def defined_names(path: Path) -> tuple[list[ast.ClassDef], list[str]]:
    """The top-level classes (as syntax nodes) and public functions a .py file defines, read
    without running it; nothing for a file that cannot be read or parsed."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return [], []
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    functions = [
        n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")
    ]
    return classes, functions


def import_line(reference: str) -> tuple[str, str]:
    """(the import statement exported code needs, the name it binds) for a non-torch reference."""
    where, qualname = split_reference(reference)
    top = qualname.split(".")[0]
    module = Path(where).stem if where.endswith(".py") else where
    return f"from {module} import {top}", top


def render_name(reference: str) -> str:
    """How exported code names the class: `nn.X` for torch.nn, else its qualified name."""
    where, qualname = split_reference(reference)
    return f"nn.{qualname}" if where in ("torch.nn", "torch.nn.modules") else qualname


def parse_arguments(args_text: str, kwargs_text: str) -> tuple[list[Any], dict[str, Any]]:
    """Constructor arguments from their JSON texts (a list and an object of plain values)."""
    try:
        args = json.loads(args_text or "[]", parse_constant=_refuse)
        kwargs = json.loads(kwargs_text or "{}", parse_constant=_refuse)
    except ValueError as exc:
        raise CustomModuleError(f"constructor arguments are not valid JSON: {exc}") from None
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise CustomModuleError(
            "constructor arguments must be a JSON list (args) and object (kwargs)"
        )
    for key in kwargs:
        if not _DOTTED.match(key) or "." in key:
            raise CustomModuleError(f"keyword argument '{key}' is not a Python identifier")
    return args, kwargs


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def arguments_json(value: Any) -> str:
    """JSON text of constructor arguments; CustomModuleError when a value is not plain data."""
    try:
        return json.dumps(_plain(value), separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise CustomModuleError(
            f"constructor argument cannot be saved as plain data: {exc}"
        ) from None


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _plain(v) for k, v in value.items()}
    raise TypeError(f"{type(value).__name__} value {str(value)[:40]!r}")
