"""Assemble an exported file: header docstring, imports, copied classes, network class, extras."""

from __future__ import annotations

from runtime.codegen.errors import ExportError
from runtime.codegen.identifiers import NameTable, camel_case
from runtime.codegen.literals import docstring_text
from runtime.codegen.network import (
    IMPORTED_NAMES,
    IMPORTS,
    block_class_names,
    block_classes_source,
    network_class,
)
from runtime.codegen.structure import module_shape_problem
from runtime.codegen.user_blocks import UserBlockClasses
from runtime.codegen.user_imports import user_imports
from runtime.format import compact
from runtime.plan import Plan
from runtime.project import Project

TRAINED_NAMES = frozenset(
    {
        "Path",
        "INPUT_SHAPE",
        "MEAN",
        "STD",
        "CLASS_NAMES",
        "WEIGHTS",
        "load_model",
        "preprocess",
        "predict",
        "probabilities",
        "_to_batch",
        "_read_state_dict",
        "_check_pixels",
        "_normalised",
        "_device_of",
        "_scores",
        "_DEFAULT_MODEL",
    }
)
"""Top-level names a trained export defines besides the network class."""


def class_name(project: Project) -> str:
    """The exported class: the project name in CamelCase ('LeNet-5' → 'LeNet5'), never a used name.

    A name that collides with a keyword, a builtin, an import, a copied block class or a helper of
    trained export gets a deterministic `Model` suffix ('F' → 'FModel').
    """
    table = NameTable(IMPORTED_NAMES | block_class_names() | TRAINED_NAMES)
    return table.claim(camel_case(project.name), "Model")


def header(project: Project, plan: Plan, source: str, usage: str) -> str:
    """The module docstring (every user string escaped) and the imports."""
    c, h, w = plan.analysis.input_shape
    params, macs = plan.analysis.params, compact(plan.analysis.macs)
    description = project.description.strip()
    about = f"\n{docstring_text(description, multiline=True)}\n" if description else ""
    return f'''"""{docstring_text(project.name)}
{about}
Exported by ConvStudio from {docstring_text(source)}{usage}

Input {c}×{h}×{w}; {params:,} trainable parameters; {macs} multiply-adds per image.
"""
{IMPORTS}'''


def class_doc(project: Project) -> str:
    """The network class docstring: the description's first line, else the project name."""
    lines = project.description.strip().splitlines()
    return lines[0] if lines else f"{project.name}."


def assemble(
    project: Project,
    plan: Plan,
    cls: str,
    source: str,
    usage: str,
    main: str,
    extra_imports: str = "",
    constants: str = "",
    functions: str = "",
) -> str:
    """The whole file; refused with ExportError if the result is not a definitions-only module.

    `usage` ends the docstring's first paragraph (it starts with its own punctuation); `main` is
    the body of the `__main__` guard.
    """
    taken = NameTable(IMPORTED_NAMES | block_class_names() | TRAINED_NAMES | {cls})
    imports = user_imports(plan, taken)
    user_blocks = UserBlockClasses(plan, taken)
    if imports.modules:
        needs = ", ".join(docstring_text(m) for m in imports.modules)
        usage = usage.replace(
            "Needs only PyTorch", f"Needs PyTorch and the user's own {needs} (importable from here)"
        )
    text = (
        header(project, plan, source, usage)
        + extra_imports
        + "".join(line + "\n" for line in imports.lines)
        + constants
        + block_classes_source(plan)
        + user_blocks.source()
        + network_class(plan, cls, class_doc(project), imports.names, user_blocks)
        + functions
        + f'\n\nif __name__ == "__main__":\n{main}'
    )
    problem = module_shape_problem(text)
    if problem:
        raise ExportError(
            f"the generated code failed its safety check ({problem}); please report this"
        )
    return text
