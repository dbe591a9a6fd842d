"""Where an fx node sits in the user's module tree, and how a custom module is referenced."""

from __future__ import annotations

from typing import Any

from torch import fx, nn

from blocks import custom
from runtime.importing.ctor_record import constructor_arguments


def module_stack(n: fx.Node) -> list[str]:
    """Module paths enclosing an fx node, outermost first."""
    stack = n.meta.get("nn_module_stack") or {}
    paths = []
    for value in stack.values():
        path = value[0] if isinstance(value, tuple) else value
        if path:
            paths.append(str(path))
    return paths


def _context(n: fx.Node) -> str:
    stack = module_stack(n)
    return stack[-1] if stack else ""


def _parent(path: str) -> str:
    return path.rpartition(".")[0]


def class_reference(cls: type) -> str:
    """The import reference of a class: file path for classes loaded from a user's file."""
    import sys

    qualname = cls.__qualname__
    if "<locals>" in qualname:
        raise custom.CustomModuleError(
            f"class {qualname} is defined inside a function and cannot be imported"
        )
    if hasattr(nn, cls.__name__) and getattr(nn, cls.__name__) is cls:
        return f"torch.nn:{cls.__name__}"
    module = sys.modules.get(cls.__module__)
    if cls.__module__.startswith("convstudio_user_") and getattr(module, "__file__", None):
        return f"{module.__file__}:{qualname}"
    return f"{cls.__module__}:{qualname}"


def custom_params(module: nn.Module, path: str) -> dict[str, Any]:
    """Parameters of a custom module node that builds `module` again."""
    recorded = constructor_arguments(module)
    cls = type(module)
    if recorded is None:
        raise custom.CustomModuleError(
            f"module '{path}' ({cls.__name__}) was not built by the model's "
            "constructor, so its arguments are unknown"
        )
    args, kwargs = recorded
    try:
        return {
            "module": class_reference(cls),
            "args": custom.arguments_json(list(args)),
            "kwargs": custom.arguments_json(dict(kwargs)),
        }
    except custom.CustomModuleError as exc:
        raise custom.CustomModuleError(f"module '{path}' ({cls.__name__}): {exc}") from None
