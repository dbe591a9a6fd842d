"""Headless ConvStudio: graph model, project files, analysis, compile, export, data, training (no
Qt).

The names below load on first use (PEP 562), so importing one runtime module does not load torch:
the window imports its panels' modules at start and torch behind the shown window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blocks.lazy import lazy_exports

_WHERE: dict[str, str] = {
    "Analysis": "runtime.analysis",
    "NodeFigures": "runtime.analysis",
    "Problem": "runtime.analysis",
    "analyze": "runtime.analysis",
    "CompiledNetwork": "runtime.compile",
    "build_model": "runtime.compile",
    "ConvStudioError": "runtime.errors",
    "CycleError": "runtime.errors",
    "GraphError": "runtime.errors",
    "InvalidGraphError": "runtime.errors",
    "ParamError": "runtime.errors",
    "PortError": "runtime.errors",
    "ProjectFileError": "runtime.errors",
    "UnknownBlockError": "runtime.errors",
    "export_python": "runtime.python_export",
    "python_source": "runtime.python_export",
    "Edge": "runtime.graph",
    "Graph": "runtime.graph",
    "GraphEvent": "runtime.graph",
    "Node": "runtime.graph",
    "Project": "runtime.project",
    "load_project": "runtime.project",
    "loads_project": "runtime.project",
    "export_onnx": "runtime.onnx_export",
}

__all__ = [
    "Analysis",
    "NodeFigures",
    "Problem",
    "analyze",
    "CompiledNetwork",
    "build_model",
    "ConvStudioError",
    "CycleError",
    "GraphError",
    "InvalidGraphError",
    "ParamError",
    "PortError",
    "ProjectFileError",
    "UnknownBlockError",
    "export_python",
    "python_source",
    "Edge",
    "Graph",
    "GraphEvent",
    "Node",
    "Project",
    "load_project",
    "loads_project",
    "export_onnx",
]

__getattr__ = lazy_exports(__name__, _WHERE)

if TYPE_CHECKING:
    from runtime.analysis import Analysis, NodeFigures, Problem, analyze
    from runtime.compile import CompiledNetwork, build_model
    from runtime.errors import (
        ConvStudioError,
        CycleError,
        GraphError,
        InvalidGraphError,
        ParamError,
        PortError,
        ProjectFileError,
        UnknownBlockError,
    )
    from runtime.graph import Edge, Graph, GraphEvent, Node
    from runtime.onnx_export import export_onnx
    from runtime.project import Project, load_project, loads_project
    from runtime.python_export import export_python, python_source
