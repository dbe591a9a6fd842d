"""What exported code needs for custom module nodes: import lines for the user's classes."""
from __future__ import annotations

from pathlib import Path

from blocks.custom import CustomModuleError, import_line, split_reference
from runtime.project import Project


def custom_imports(project: Project, node_ids: list[str]) -> tuple[list[str], list[str]]:
    """(import statements, the user's modules named) for the custom module nodes among `node_ids`."""
    lines: list[str] = []
    modules: list[str] = []
    for nid in node_ids:
        node = project.graph.nodes[nid]
        if node.block != "custom_module":
            continue
        try:
            where, _ = split_reference(node.params["module"])
        except CustomModuleError:
            continue
        if where == "torch" or where.startswith("torch."):
            continue
        line, _ = import_line(node.params["module"])
        if line not in lines:
            lines.append(line)
            modules.append(Path(where).name if where.endswith(".py") else where)
    return lines, modules
