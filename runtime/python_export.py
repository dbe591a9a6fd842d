"""Export a project as one standalone, readable PyTorch file that needs only torch.

Every user string (project name, description, file name) enters the file as escaped docstring text,
every identifier is checked against keywords, builtins and the names the file uses, and the
result is checked to be a definitions-only module before it is written.
"""

from __future__ import annotations

from pathlib import Path

from runtime.atomic_write import write_atomic
from runtime.codegen.errors import ExportError
from runtime.codegen.identifiers import module_stem_problem
from runtime.codegen.user_imports import user_module_problem
from runtime.codegen.module import assemble, class_name
from runtime.plan import make_plan
from runtime.project import Project

__all__ = ["check_python_target", "class_name", "export_python", "python_source"]


def python_source(project: Project, source: str = "a ConvStudio project") -> str:
    """The exported module's source text (the network class only; weights are not included)."""
    plan = make_plan(project)
    cls = class_name(project)
    c, h, w = plan.analysis.input_shape
    usage = (
        f". Needs only PyTorch:\n\n    model = {cls}()\n"
        f"    logits = model(torch.randn(1, {c}, {h}, {w}))"
    )
    main = f"    model = {cls}().eval()\n    print(model(torch.randn(1, {c}, {h}, {w})).shape)\n"
    return assemble(project, plan, cls, source, usage, main)


def check_python_target(out: Path, project: Project | None = None) -> None:
    """Refuse a `.py` target whose name would hide a module the file imports (e.g. torch.py, or
    the user's own module of the project's custom nodes)."""
    problem = module_stem_problem(out.stem)
    if problem is None and project is not None:
        problem = user_module_problem(out.stem, project)
    if problem:
        raise ExportError(problem, out)


def export_python(project: Project, out: str | Path) -> Path:
    """Write the standalone Python file for `project` to `out` (atomically)."""
    out = Path(out)
    check_python_target(out, project)
    source = project.path.name if project.path else "a ConvStudio project"
    write_atomic(out, python_source(project, source))
    return out
