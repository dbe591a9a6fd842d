"""Export a project as one standalone, readable PyTorch file that needs only torch."""
from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

from torch import nn

from runtime.format import compact
from runtime.importing.export_imports import custom_imports
from runtime.plan import Plan, make_plan
from runtime.project import Project, write_atomic

_HEADER = '''"""{title}

Exported by ConvStudio from {source}. Needs only PyTorch:

    model = {cls}()
    logits = model(torch.randn(1, {shape}))

Input {shape_x}; {params:,} trainable parameters; {macs} multiply-adds per image.
"""
import torch
from torch import nn
import torch.nn.functional as F
'''


def class_name(project: Project) -> str:
    """A CamelCase Python class name from the project name ('LeNet-5' → 'LeNet5')."""
    words = re.findall(r"[A-Za-z0-9]+", project.name)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Network"
    return name if name[0].isalpha() else "Net" + name


def _custom_classes(plan: Plan) -> list[type[nn.Module]]:
    """Project-defined module classes the plan uses, each once, dependencies first."""
    seen: list[type] = []
    pending = [c for step in plan.steps for c in step.ctor.classes()]
    while pending:
        cls = pending.pop(0)
        if cls in seen or not cls.__module__.startswith("blocks."):
            continue
        source = inspect.getsource(cls)
        deps = [obj for name, obj in vars(inspect.getmodule(cls)).items()
                if isinstance(obj, type) and issubclass(obj, nn.Module) and obj is not cls
                and obj.__module__.startswith("blocks.") and re.search(rf"\b{name}\b", source)]
        for dep in deps:
            if dep not in seen:
                pending.insert(0, cls)
                pending.insert(0, dep)
                break
        else:
            seen.append(cls)
    return seen


def _assignments(plan: Plan) -> dict[str, str]:
    """Variable holding each node's output: `x` while the value in `x` is dead, else the node's name."""
    last_use: dict[str, int] = {}
    consumers: dict[str, int] = {}
    for i, step in enumerate(plan.steps):
        for name in step.inputs:
            last_use[name] = i
            consumers[name] = consumers.get(name, 0) + 1
    var = {plan.input_name: "x"}
    in_x = plan.input_name
    for i, step in enumerate(plan.steps):
        if last_use.get(in_x, -1) <= i and consumers.get(step.name, 0) <= 1:
            var[step.name] = "x"
            in_x = step.name
        else:
            var[step.name] = step.name
    return var


def python_source(project: Project, source: str = "a ConvStudio project") -> str:
    """The exported module's source text."""
    plan = make_plan(project)
    cls = class_name(project)
    c, h, w = plan.analysis.input_shape
    macs = plan.analysis.macs
    parts = [_HEADER.format(title=project.name, source=source, cls=cls, shape=f"{c}, {h}, {w}",
                            shape_x=f"{c}×{h}×{w}", params=plan.analysis.params,
                            macs=compact(macs))]
    imports, modules = custom_imports(project, [s.node_id for s in plan.steps])
    if imports:
        parts[0] = parts[0].replace("Needs only PyTorch:", f"Needs PyTorch and the user's own {', '.join(modules)} "
                                                           "(importable from here):")
        parts.append("\n".join(imports) + "\n")
    for custom in _custom_classes(plan):
        parts.append("\n" + textwrap.dedent(inspect.getsource(custom)))
    var = _assignments(plan)
    init = [f"        self.{s.name} = {s.ctor.render()}" for s in plan.steps]
    body = []
    for s in plan.steps:
        args = ", ".join(var[n] for n in s.inputs)
        body.append(f"        {var[s.name]} = self.{s.name}({args})")
    body.append(f"        return {var[plan.output_name]}")
    doc = project.description.strip().splitlines()[0] if project.description.strip() else f"{project.name}."
    parts.append(f'''

class {cls}(nn.Module):
    """{doc}"""

    def __init__(self) -> None:
        super().__init__()
{chr(10).join(init)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
{chr(10).join(body)}


if __name__ == "__main__":
    model = {cls}().eval()
    print(model(torch.randn(1, {c}, {h}, {w})).shape)
''')
    return "".join(parts)


def export_python(project: Project, out: str | Path) -> Path:
    """Write the standalone Python file for `project` to `out` (atomically)."""
    out = Path(out)
    source = project.path.name if project.path else "a ConvStudio project"
    write_atomic(out, python_source(project, source))
    return out
