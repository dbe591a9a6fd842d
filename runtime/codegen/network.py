"""The network part of an exported file: the copied block classes and the project's class."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Mapping
from functools import lru_cache
from typing import Protocol

from torch import nn

import blocks.modules
from blocks.spec import Ctor
from blocks.user_block import UserBlockCtor
from runtime.codegen.errors import ExportError
from runtime.codegen.identifiers import NameTable, is_plain_identifier
from runtime.codegen.literals import docstring_text, literal
from runtime.plan import Plan, Step

IMPORTS = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"
"""The imports every exported file starts with; the copied block classes need nothing else."""

IMPORTED_NAMES = frozenset({"torch", "nn", "F"})

_MODULE_ATTRIBUTES = frozenset(dir(nn.Module))


@lru_cache(maxsize=1)
def block_class_names() -> frozenset[str]:
    """Names of every module class the catalogue can copy into an exported file."""
    names = set()
    for info in pkgutil.iter_modules(blocks.modules.__path__, "blocks.modules."):
        module = importlib.import_module(info.name)
        names |= {
            name
            for name, obj in vars(module).items()
            if isinstance(obj, type) and issubclass(obj, nn.Module) and obj.__module__ == info.name
        }
    return frozenset(names)


def custom_classes(plan: Plan) -> list[type[nn.Module]]:
    """Catalogue module classes the plan uses, each once, dependencies first."""
    seen: list[type] = []
    pending = [c for step in plan.steps for c in step.ctor.classes()]
    while pending:
        cls = pending.pop(0)
        if cls in seen or not cls.__module__.startswith("blocks."):
            continue
        source = inspect.getsource(cls)
        deps = [
            obj
            for name, obj in vars(inspect.getmodule(cls)).items()
            if isinstance(obj, type)
            and issubclass(obj, nn.Module)
            and obj is not cls
            and obj.__module__.startswith("blocks.")
            and re.search(rf"\b{name}\b", source)
        ]
        for dep in deps:
            if dep not in seen:
                pending.insert(0, cls)
                pending.insert(0, dep)
                break
        else:
            seen.append(cls)
    return seen


def class_reference(cls: type) -> str:
    """How the file names a module class: `nn.X` for torch.nn, the bare name for a copied one."""
    if cls.__module__.startswith("torch.nn") and getattr(nn, cls.__name__, None) is cls:
        return f"nn.{cls.__name__}"
    if cls.__module__.startswith("blocks.") and cls.__name__ in block_class_names():
        return cls.__name__
    raise ExportError(
        f"module class {cls.__module__}.{cls.__name__} cannot be written into exported code"
    )


class UserBlockCalls(Protocol):
    """Writes the call that builds one of the user's own blocks (runtime.codegen.user_blocks)."""

    def call(self, ctor: UserBlockCtor) -> str:
        """`ClassName(in_channels=…, width=…)`."""
        ...


def render_ctor(
    ctor: Ctor, custom: Mapping[str, str] | None = None, user: UserBlockCalls | None = None
) -> str:
    """Source that constructs the same module, e.g. `nn.Conv2d(3, 64, kernel_size=3)`.

    `custom` maps a custom module's reference to the name the file gives its class; `user`
    writes the calls of the user's own blocks.
    """
    if isinstance(ctor, UserBlockCtor):
        if user is None:
            raise ExportError(f"the block '{ctor.block_id}' has no class in the exported file")
        return user.call(ctor)
    parts = [_render_value(a, custom) for a in ctor.args]
    for key, value in ctor.kwargs.items():
        if not is_plain_identifier(key):
            raise ExportError(
                f"{ctor.cls.__name__} has an argument name {key!r} that is not an identifier"
            )
        parts.append(f"{key}={_render_value(value, custom)}")
    reference = getattr(ctor, "reference", "")
    name = (custom or {}).get(reference) if reference else class_reference(ctor.cls)
    if name is None:
        raise ExportError(f"custom module {reference!r} has no import in the exported file")
    return f"{name}({', '.join(parts)})"


def _render_value(value: object, custom: Mapping[str, str] | None) -> str:
    if isinstance(value, Ctor):
        return render_ctor(value, custom)
    if isinstance(value, list):
        return "[" + ", ".join(_render_value(v, custom) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_render_value(v, custom) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return literal(value)


def attribute_name(step: Step) -> str:
    """The layer's attribute (and state_dict prefix): the node name, if it is a safe identifier."""
    name = step.name
    if not is_plain_identifier(name) or name.startswith("_") or name in _MODULE_ATTRIBUTES:
        raise ExportError(
            f"layer name {name!r} cannot name a PyTorch attribute: rename the node",
            node_id=step.node_id,
        )
    return name


def forward_variables(plan: Plan) -> dict[str, str]:
    """Variable of each node's output in forward: `x` while its value is dead, else a checked name.

    Node names that collide with a keyword, a builtin or a name forward itself uses get a
    deterministic `_out` suffix.
    """
    last_use: dict[str, int] = {}
    consumers: dict[str, int] = {}
    for i, step in enumerate(plan.steps):
        for name in step.inputs:
            last_use[name] = i
            consumers[name] = consumers.get(name, 0) + 1
    var = {plan.input_name: "x"}
    in_x = plan.input_name
    kept = []
    for i, step in enumerate(plan.steps):
        if last_use.get(in_x, -1) <= i and consumers.get(step.name, 0) <= 1:
            var[step.name] = "x"
            in_x = step.name
        else:
            kept.append(step.name)
    scope = NameTable({"self", "x"} | IMPORTED_NAMES | block_class_names())
    free = [n for n in kept if scope.is_free(n)]
    for name in free:
        var[name] = scope.claim(name, "_out")
    for name in kept:
        if name not in free:
            var[name] = scope.claim(name, "_out")
    return var


def network_class(
    plan: Plan,
    cls: str,
    doc: str,
    custom: Mapping[str, str] | None = None,
    user: UserBlockCalls | None = None,
) -> str:
    """The `class <cls>(nn.Module)` source: one attribute per layer, forward in plan order."""
    var = forward_variables(plan)
    init = [
        f"        self.{attribute_name(s)} = {render_ctor(s.ctor, custom, user)}"
        for s in plan.steps
    ]
    body = [
        f"        {var[s.name]} = self.{s.name}({', '.join(var[n] for n in s.inputs)})"
        for s in plan.steps
    ]
    body.append(f"        return {var[plan.output_name]}")
    nl = "\n"
    return f'''

class {cls}(nn.Module):
    """{docstring_text(doc)}"""

    def __init__(self) -> None:
        super().__init__()
{nl.join(init)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
{nl.join(body)}
'''


def block_classes_source(plan: Plan) -> str:
    """The source of every catalogue class the plan uses, copied verbatim."""
    return "".join("\n" + textwrap.dedent(inspect.getsource(c)) for c in custom_classes(plan))
