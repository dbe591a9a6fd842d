"""Headless ConvStudio: graph model, project files, analysis, compile, export, data, training (no
Qt)."""

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
from runtime.python_export import export_python, python_source
from runtime.graph import Edge, Graph, GraphEvent, Node
from runtime.project import Project, load_project, loads_project

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


def export_onnx(project: "Project", out: str, opset: int = 18) -> "object":
    """Export to ONNX with a dynamic batch dimension (see runtime.onnx_export; imported on first
    use, since it loads torch's ONNX exporter)."""
    from runtime.onnx_export import export_onnx as _export

    return _export(project, out, opset)
