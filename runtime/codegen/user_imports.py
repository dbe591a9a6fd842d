"""Custom module nodes in exported code: checked import lines for the user's own classes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from blocks.custom import CustomModuleError, split_reference
from runtime.codegen.errors import ExportError
from runtime.codegen.identifiers import NameTable, is_plain_identifier
from runtime.plan import Plan
from runtime.project import Project

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
TORCH_NN = ("torch.nn", "torch.nn.modules")
"""References into torch.nn render as `nn.<Class>` and need no import."""


@dataclass
class UserImports:
    """The import lines a plan's custom module nodes need, and how the file names each class."""

    lines: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    """Reference → the expression naming its class in the file ('PowerGate', 'nn.Upsample')."""
    bound: dict[tuple[str, str], str] = field(default_factory=dict)
    """(module, imported name) → the name it is bound to in the file."""


def _module_name(where: str, node_id: str) -> tuple[str, str]:
    """(the importable module name, how the docstring shows it) of a reference's module or file."""
    shown = Path(where).name if where.endswith(".py") else where
    module = Path(where).stem if where.endswith(".py") else where
    if not _DOTTED.match(module) or not all(is_plain_identifier(p) for p in module.split(".")):
        raise ExportError(
            f"the custom module {where!r} cannot be imported by exported code: its "
            "file name must be a Python identifier",
            node_id=node_id,
        )
    return module, shown


def user_imports(plan: Plan, table: NameTable) -> UserImports:
    """Import lines for every non-torch.nn custom module in the plan; each bound name is claimed
    in `table` (the file's top-level names), with an `as` alias when it would collide."""
    found = UserImports()
    for step in plan.steps:
        reference = getattr(step.ctor, "reference", "")
        if step.block != "custom_module" or not reference or reference in found.names:
            continue
        try:
            where, qualname = split_reference(reference)
        except CustomModuleError as exc:
            raise ExportError(str(exc), node_id=step.node_id) from None
        parts = qualname.split(".")
        if not all(is_plain_identifier(p) for p in parts):
            raise ExportError(
                f"the class name {qualname!r} cannot be written into exported code",
                node_id=step.node_id,
            )
        if where in TORCH_NN:
            found.names[reference] = "nn." + qualname
            continue
        module, shown = _module_name(where, step.node_id)
        bound = found.bound.get((module, parts[0]))
        if bound is None:
            bound = found.bound[(module, parts[0])] = table.claim(parts[0], "_user")
            alias = "" if bound == parts[0] else f" as {bound}"
            found.lines.append(f"from {module} import {parts[0]}{alias}")
        if shown not in found.modules:
            found.modules.append(shown)
        found.names[reference] = ".".join([bound, *parts[1:]])
    return found


def user_module_names(project: Project) -> frozenset[str]:
    """The top-level names of the user's own modules that the project's custom nodes import
    ('mods' for 'mods.py:Gate' or 'mods.layers:Gate'); torch's own modules are not listed."""
    names = set()
    for node in project.graph.nodes.values():
        if node.block != "custom_module":
            continue
        try:
            where, _ = split_reference(str(node.params.get("module", "")))
        except CustomModuleError:
            continue  # a broken reference is reported by the export itself
        if where == "torch" or where.startswith("torch."):
            continue
        names.add(Path(where).stem if where.endswith(".py") else where.split(".")[0])
    return frozenset(names)


def user_module_problem(stem: str, project: Project) -> str | None:
    """Why a generated `<stem>.py` would hide or overwrite a user module the file imports, or
    None."""
    for name in sorted(user_module_names(project)):
        if name.lower() == stem.lower():
            return (
                f"a file named '{stem}.py' would hide or overwrite '{name}', the project's own "
                "module that the exported code imports; choose another file name"
            )
    return None
