"""Expand a composite node into its primitive sub-graph in place, and carry its weights along."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from blocks import BlockError, get_spec
from blocks.lazy import lazy
from blocks.spec import SUB_INPUT, Shape, SubGraph
from runtime.analysis import analyze
from runtime.errors import GraphError
from runtime.graph import Graph, Node
from runtime.groups import GROUP_KEY, group_of
from runtime.layout import Direction, layered_layout, project_direction
from runtime.naming import name_problem
from runtime.project import Project

if TYPE_CHECKING:
    import torch
else:
    torch = lazy("torch")  # loaded when weights move, not when the canvas imports this


@dataclass(frozen=True)
class Expansion:
    """What expanding one node did: the new node ids and where each of its weights now lives."""

    node_id: str
    node_name: str
    new_ids: list[str]
    key_map: dict[str, str] = field(default_factory=dict)
    """Network state_dict key before expansion → key after, for every tensor of the composite."""


def expandable(graph: Graph, node_id: str) -> bool:
    """True when the node is a composite block that knows its primitive sub-graph."""
    spec = graph.node(node_id).spec
    return spec.composite and spec.expand is not None


def expand_node(project: Project, node_id: str) -> list[str]:
    """Replace composite `node_id` by its primitive blocks in place; returns the new node ids."""
    return expand(project, node_id).new_ids


def expand(project: Project, node_id: str) -> Expansion:
    """Replace composite `node_id` by its primitive blocks; GraphError (naming the node) if it
    cannot be.

    Everything is computed and validated before the graph changes, so a refusal leaves it untouched.
    """
    graph = project.graph
    node = graph.node(node_id)
    if not expandable(graph, node_id):
        raise _refuse(
            node, "it is a primitive block; only composite blocks (category Blocks) expand"
        )
    in_shapes = _in_shapes(project, node)
    sub = _subgraph(node, in_shapes)
    names = _local_names(graph, node, sub)
    key_map = _key_map(node, sub, names, in_shapes)
    incoming = graph.inputs_of(node_id)
    outgoing = sorted(graph.consumers(node_id), key=lambda e: (e.dst, e.port))
    positions = _layout(sub, node.pos, project_direction(project))
    group = group_of(node)
    extra = {GROUP_KEY: group} if group else None
    graph.remove_node(node_id)
    ids = {}
    for sn in sub.nodes:
        ids[sn.name] = graph.add_node(
            sn.block, sn.params, positions[sn.name], names[sn.name], extra=extra
        ).id
    for src, dst in sub.edges:
        graph.connect(incoming[0].src if src == SUB_INPUT else ids[src], ids[dst])
    for edge in outgoing:
        graph.connect(ids[sub.output], edge.dst, edge.port)
    return Expansion(node_id, node.name, [ids[sn.name] for sn in sub.nodes], key_map)


def expand_state_dict(
    state_dict: Mapping[str, torch.Tensor], expansion: Expansion
) -> dict[str, torch.Tensor]:
    """The network's state_dict with the expanded node's tensors renamed to their new homes."""
    return {expansion.key_map.get(key, key): value for key, value in state_dict.items()}


def _refuse(node: Node, why: str) -> GraphError:
    return GraphError(f"cannot expand {node.spec.title} '{node.name}': {why}", node.id)


def _in_shapes(project: Project, node: Node) -> list[Shape]:
    analysis = analyze(project)
    problems = analysis.problems_for(node.id)
    if problems:
        raise _refuse(node, problems[0].message)
    edges = project.graph.inputs_of(node.id)
    if len(edges) < node.spec.min_inputs:
        raise _refuse(
            node, "connect its input first (the primitives' sizes depend on the input's channels)"
        )
    upstream = [analysis.nodes.get(e.src) for e in edges]
    if any(u is None for u in upstream):
        raise _refuse(node, "the layers before it have problems; fix those first")
    return [u.out_shape for u in upstream]


def _subgraph(node: Node, in_shapes: list[Shape]) -> SubGraph:
    try:
        sub = node.spec.expand(node.params, in_shapes)
        for sn in sub.nodes:
            get_spec(sn.block).resolve(sn.params)
    except BlockError as exc:
        raise _refuse(node, str(exc)) from None
    return sub


def _local_names(graph: Graph, node: Node, sub: SubGraph) -> dict[str, str]:
    """`<name>_<part>` for each sub-node, made unique and valid (the old node's name is freed)."""
    taken = graph.names() - {node.name}
    names = {}
    for sn in sub.nodes:
        base = f"{node.name}_{sn.name}"[:60]
        if name_problem(base):
            base = f"{node.spec.id}_{sn.name}"[:60]
        name, n = base, 2
        while name in taken or name_problem(name):
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names[sn.name] = name
    return names


def _key_map(
    node: Node, sub: SubGraph, names: Mapping[str, str], in_shapes: list[Shape]
) -> dict[str, str]:
    with torch.device("meta"):
        keys = list(node.spec.make(node.params, in_shapes).build().state_dict())
    try:
        local = sub.key_map(keys)
    except KeyError as exc:
        raise _refuse(node, str(exc.args[0])) from None
    return {f"{node.name}.{key}": f"{names[part]}.{inner}" for key, (part, inner) in local.items()}


def _layout(
    sub: SubGraph, origin: tuple[float, float], direction: Direction
) -> dict[str, tuple[float, float]]:
    """The shared layered layout of the sub-graph, centred on `origin` (where the composite was)."""
    edges = [(s, d, port) for port, (s, d) in enumerate(sub.edges) if s != SUB_INPUT]
    positions = layered_layout([sn.name for sn in sub.nodes], edges, direction, fold=False)
    xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
    dx, dy = origin[0] - (min(xs) + max(xs)) / 2, origin[1] - (min(ys) + max(ys)) / 2
    return {name: (x + dx, y + dy) for name, (x, y) in positions.items()}
