"""The execution plan shared by compile and export: which module runs on which values, in order."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from blocks.spec import Ctor
from runtime.analysis import Analysis, analyze
from runtime.bypass import is_bypassed
from runtime.errors import InvalidGraphError
from runtime.project import Project


@dataclass(frozen=True)
class Step:
    """One layer call: `outputs[node] = module(*inputs)`; names are node names."""

    node_id: str
    name: str
    block: str
    ctor: Ctor
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """The steps from the input node to the output node, in topological order."""

    input_name: str
    output_name: str
    steps: tuple[Step, ...]
    analysis: Analysis


def make_plan(project: Project, analysis: Analysis | None = None) -> Plan:
    """Plan the layers that lie between Input and Output; InvalidGraphError lists every problem."""
    analysis = analysis or analyze(project)
    if analysis.problems:
        raise InvalidGraphError(analysis.problems)
    graph = project.graph
    out_id = analysis.output_id
    source = next(n for n in graph.nodes.values() if n.block == "input")
    needed = graph.ancestors(out_id) | {out_id}
    if source.id not in needed:
        from runtime.analysis import Problem

        raise InvalidGraphError(
            [
                Problem(
                    out_id,
                    f"Output '{graph.nodes[out_id].name}' is not connected to the "
                    f"Input '{source.name}': wire the layers between them",
                )
            ]
        )
    steps = []
    for nid in analysis.order:
        node = graph.nodes[nid]
        if nid not in needed or node.block == "input":
            continue
        edges = graph.inputs_of(nid)
        in_shapes = [analysis.nodes[e.src].out_shape for e in edges]
        ctor = Ctor(nn.Identity) if is_bypassed(node) else node.spec.make(node.params, in_shapes)
        steps.append(
            Step(nid, node.name, node.block, ctor, tuple(graph.nodes[e.src].name for e in edges))
        )
    return Plan(source.name, graph.nodes[out_id].name, tuple(steps), analysis)
