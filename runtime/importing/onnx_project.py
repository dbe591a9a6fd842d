"""The imported graph as a project: live blocks only, readable layer names, weights keyed by
them."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from runtime.graph import Graph
from runtime.importing.errors import ModelImportError
from runtime.importing.layout import layout_imported
from runtime.importing.onnx_graph import Node
from runtime.importing.onnx_state import ImporterBase
from runtime.importing.pytorch import ImportResult
from runtime.naming import unique_identifier
from runtime.project import Project


class ProjectBuilder(ImporterBase):
    """Turns the mapped blocks into a Project and its state dict."""

    def _project(self, last: str) -> ImportResult:
        nodes = self._live(last)
        tail = nodes[last]
        fed = any(last in n.inputs for n in nodes.values())
        if tail.block == "linear" and tail.params["bias"] and not fed:
            tail.block, tail.params = "output", {"num_classes": tail.params["out_features"]}
        else:
            nodes["__output__"] = Node(
                "__output__", "output", {"num_classes": 0}, [last], {}, "output"
            )
        graph, names = Graph(), layer_names(nodes)
        ids = {}
        for key, node in nodes.items():
            ids[key] = graph.add_node(node.block, node.params, name=names[key]).id
        for key, node in nodes.items():
            for port, src in enumerate(node.inputs):
                graph.connect(ids[src], ids[key], port)
        layout_imported(graph)
        title = self.model.graph.name or self.path.stem
        project = Project(
            graph,
            tuple(self.input_shape),
            project_title(title, self.path),
            f"Imported from ONNX ({self.path.name}).",
        )
        state, key_map = {}, {}
        for key, node in nodes.items():
            for local, value in node.tensors.items():
                name = f"{names[key]}.{local}"
                state[name] = torch.from_numpy(np.array(value, copy=True))
                key_map[f"{node.name_hint}.{local}"] = name
        return ImportResult(project, state, key_map)

    def _live(self, last: str) -> dict[str, Node]:
        needed, pending = set(), [last]
        while pending:
            key = pending.pop()
            if key not in needed:
                needed.add(key)
                pending.extend(self.nodes[key].inputs)
        if "__input__" not in needed:
            raise ModelImportError(str(self.path), "its output does not depend on the input image")
        return {k: n for k, n in self.nodes.items() if k in needed}


def layer_names(nodes: dict[str, Node]) -> dict[str, str]:
    """A unique Python identifier per block, from the ONNX names."""
    taken: set[str] = set()
    names = {}
    for key, node in nodes.items():
        hint = re.sub(r"[^A-Za-z0-9_]", "_", node.name_hint or key).strip("_")
        if hint.startswith("node_"):
            hint = hint[5:]
        names[key] = unique_identifier(hint or "layer", taken)
    return names


def project_title(name: str, path: Path) -> str:
    """The graph's own name, unless it is an exporter's default; else the file's stem."""
    return (
        name if name and name not in ("main_graph", "torch_jit", "torch-jit-export") else path.stem
    )
