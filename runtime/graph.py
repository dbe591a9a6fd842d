"""The network graph: nodes, edges and ports with stable ids; every mutation validated first."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import networkx as nx

from blocks import ParamValueError, UnknownBlockIdError, get_spec
from blocks.spec import BlockSpec
from runtime.errors import (
    CycleError,
    GraphError,
    GroupError,
    ParamError,
    PortError,
    UnknownBlockError,
)
from runtime.groups import GROUP_KEY, group_name_problem
from runtime.naming import fresh_name, name_problem
from runtime.project_events import (
    EdgeAdded,
    EdgeRemoved,
    GraphEvent,
    GraphReset,
    GroupCollapsed,
    NodeAdded,
    NodeMoved,
    NodeRemoved,
    NodeRenamed,
    Observer,
    ParamsChanged,
)

__all__ = ["Edge", "Graph", "GraphEvent", "Node", "chain"]


@dataclass
class Node:
    """One block instance: stable id, block type, unique name, full parameters, canvas position."""

    id: str
    block: str
    name: str
    params: dict[str, Any]
    pos: tuple[float, float] = (0.0, 0.0)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> BlockSpec:
        """The catalogue spec of this node's block."""
        return get_spec(self.block)


@dataclass(frozen=True)
class Edge:
    """A wire from `src`'s output to input slot `port` of `dst`."""

    src: str
    dst: str
    port: int


class Graph:
    """A directed acyclic graph of blocks, with networkx kept in step for order and cycles."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self._inputs: dict[str, list[Edge]] = {}
        self._nx = nx.MultiDiGraph()
        self._observers: list[Observer] = []
        self._ids = itertools.count(1)
        self.collapsed: set[str] = set()
        """Names of the groups drawn collapsed (runtime.groups)."""

    # ----- observation ---------------------------------------------------------------
    def subscribe(self, observer: Observer) -> None:
        """Call `observer` after every change, in subscription order."""
        self._observers.append(observer)

    def unsubscribe(self, observer: Observer) -> None:
        """Stop notifying `observer`."""
        self._observers.remove(observer)

    def _emit(self, event: GraphEvent) -> None:
        for observer in list(self._observers):
            observer(event)

    # ----- queries ---------------------------------------------------------------------
    @property
    def edges(self) -> list[Edge]:
        """Every edge, grouped by destination in node order, by port."""
        return [e for dst in self.nodes for e in self._inputs[dst]]

    def node(self, node_id: str) -> Node:
        """The node with id `node_id` (GraphError if there is none)."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(f"no node with id '{node_id}'", node_id) from None

    def by_name(self, name: str) -> Node:
        """The node called `name`."""
        for node in self.nodes.values():
            if node.name == name:
                return node
        raise GraphError(f"no node named '{name}'")

    def inputs_of(self, node_id: str) -> list[Edge]:
        """Incoming edges of `node_id`, ordered by port."""
        return list(self._inputs[self.node(node_id).id])

    def consumers(self, node_id: str) -> list[Edge]:
        """Outgoing edges of `node_id`."""
        return [Edge(s, d, k) for s, d, k in self._nx.out_edges(node_id, keys=True)]

    def topological_order(self) -> list[str]:
        """Node ids so that every edge points forward; ties keep insertion order."""
        index = {nid: i for i, nid in enumerate(self.nodes)}
        return list(nx.lexicographical_topological_sort(self._nx, key=index.__getitem__))

    def ancestors(self, node_id: str) -> set[str]:
        """Every node with a path to `node_id`."""
        return set(nx.ancestors(self._nx, node_id))

    def names(self) -> set[str]:
        """Every node name in use."""
        return {n.name for n in self.nodes.values()}

    def connection_problem(self, src: str, dst: str, port: int | None = None) -> str | None:
        """Why src → dst (at `port`) cannot be connected, or None when it can."""
        if src not in self.nodes or dst not in self.nodes:
            return "both ends must be nodes of this graph"
        source, target = self.nodes[src], self.nodes[dst]
        if src == dst:
            return f"'{source.name}' cannot feed itself"
        spec = target.spec
        taken = len(self._inputs[dst])
        if spec.max_inputs == 0:
            return f"{spec.title} '{target.name}' has no input port"
        if port is None:
            port = taken if spec.variadic else 0
        if port < 0 or (spec.max_inputs is not None and port >= spec.max_inputs):
            return f"{spec.title} '{target.name}' has no input port {port}"
        if spec.variadic and port > taken:
            return f"{spec.title} '{target.name}': next free input is port {taken}"
        if not spec.variadic and port < taken:
            return (
                f"input of {spec.title} '{target.name}' is already connected: disconnect it first"
            )
        if nx.has_path(self._nx, dst, src):
            return f"connecting '{source.name}' → '{target.name}' would make a cycle"
        return None

    # ----- mutations -------------------------------------------------------------------
    def add_node(
        self,
        block: str,
        params: Mapping[str, Any] | None = None,
        pos: tuple[float, float] = (0.0, 0.0),
        name: str | None = None,
        node_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Node:
        """Add a node of type `block`; parameters are validated, missing ones take defaults."""
        try:
            spec = get_spec(block)
        except UnknownBlockIdError:
            raise UnknownBlockError(f"unknown block type '{block}'", node_id, block) from None
        if node_id is None:
            node_id = self._fresh_id()
        elif node_id in self.nodes:
            raise GraphError(f"node id '{node_id}' is already used", node_id)
        if name is None:
            name = fresh_name(spec.id, self.names())
        self._check_name(name, node_id)
        resolved = self._resolve(spec, params or {}, node_id, name)
        if extra and GROUP_KEY in extra:
            self._check_group(extra[GROUP_KEY], node_id)
        node = Node(
            node_id, spec.id, name, resolved, (float(pos[0]), float(pos[1])), dict(extra or {})
        )
        self.nodes[node_id] = node
        self._inputs[node_id] = []
        self._nx.add_node(node_id)
        self._emit(NodeAdded(node_id))
        return node

    def remove_node(self, node_id: str) -> list[Edge]:
        """Remove a node and its wires; returns the removed edges (for undo)."""
        self.node(node_id)
        removed = self.inputs_of(node_id) + self.consumers(node_id)
        for edge in sorted(set(removed), key=lambda e: -e.port):
            self.disconnect(edge)
        del self.nodes[node_id]
        del self._inputs[node_id]
        self._nx.remove_node(node_id)
        self._emit(NodeRemoved(node_id))
        return removed

    def connect(self, src: str, dst: str, port: int | None = None) -> Edge:
        """Wire src's output to dst's input `port` (next free one when None); validated first."""
        problem = self.connection_problem(src, dst, port)
        if problem:
            error = CycleError if "cycle" in problem else PortError
            raise error(problem, dst)
        spec = self.nodes[dst].spec
        if port is None:
            port = len(self._inputs[dst]) if spec.variadic else 0
        return self._insert(Edge(src, dst, port))

    def reconnect(self, edge: Edge) -> Edge:
        """Put a removed wire back at its old port, later inputs moving up by one (for undo).

        `connect` refuses a taken port of a fixed-input block (wiring there by hand would silently
        push the other input to the next port), but a removal moved the later inputs down, so
        undoing it must insert there: e.g. a crop's image wire, removed and put back before its
        reference wire."""
        src, dst, port = edge.src, edge.dst, edge.port
        if src not in self.nodes or dst not in self.nodes:
            raise PortError(f"cannot restore {edge}: both ends must be nodes of this graph", dst)
        spec, taken = self.nodes[dst].spec, len(self._inputs[dst])
        full = spec.max_inputs is not None and taken >= spec.max_inputs
        if port < 0 or port > taken or full:
            raise PortError(f"cannot restore {edge}: the node has {taken} inputs now", dst)
        if nx.has_path(self._nx, dst, src):
            raise CycleError(f"restoring {edge} would make a cycle", dst)
        return self._insert(edge)

    def _insert(self, edge: Edge) -> Edge:
        """Add a checked wire at its port; the inputs from that port on move up by one."""
        dst, port = edge.dst, edge.port
        inputs = self._inputs[dst]
        for later in inputs[port:]:
            self._nx.remove_edge(later.src, dst, key=later.port)
        shifted = [Edge(e.src, dst, e.port + 1) for e in inputs[port:]]
        self._inputs[dst] = inputs[:port] + [edge] + shifted
        for e in [edge, *shifted]:
            self._nx.add_edge(e.src, dst, key=e.port)
        self._emit(EdgeAdded(edge))
        return edge

    def disconnect(self, edge: Edge) -> None:
        """Remove `edge`; later ports of a merge move down by one."""
        inputs = self._inputs.get(edge.dst, [])
        if edge not in inputs:
            raise PortError(f"no such connection {edge}", edge.dst)
        for e in inputs[edge.port :]:
            self._nx.remove_edge(e.src, edge.dst, key=e.port)
        shifted = [Edge(e.src, e.dst, e.port - 1) for e in inputs[edge.port + 1 :]]
        self._inputs[edge.dst] = inputs[: edge.port] + shifted
        for e in shifted:
            self._nx.add_edge(e.src, e.dst, key=e.port)
        self._emit(EdgeRemoved(edge))

    def set_params(self, node_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Apply parameter changes after validating all of them; returns the previous values."""
        node = self.node(node_id)
        merged = self._resolve(node.spec, {**node.params, **changes}, node_id, node.name)
        old = {k: node.params[k] for k in changes}
        node.params = merged
        self._emit(ParamsChanged(node_id))
        return old

    def set_extra(self, node_id: str, key: str, value: Any) -> Any:
        """Set (or, with None, remove) one saved extra of a node; returns the previous value."""
        node = self.node(node_id)
        if key == GROUP_KEY and value is not None:
            self._check_group(value, node_id)
        old = node.extra.get(key)
        if value is None:
            node.extra.pop(key, None)
        else:
            node.extra[key] = value
        self._emit(ParamsChanged(node_id))
        return old

    def set_collapsed(self, group: str, collapsed: bool) -> bool:
        """Draw group `group` collapsed or expanded; returns whether it was collapsed before."""
        before = group in self.collapsed
        if collapsed:
            self.collapsed.add(group)
        else:
            self.collapsed.discard(group)
        self._emit(GroupCollapsed(group))
        return before

    def rename(self, node_id: str, name: str) -> str:
        """Give a node a new unique name; returns the old one."""
        node = self.node(node_id)
        if name != node.name:
            self._check_name(name, node_id)
        old, node.name = node.name, name
        self._emit(NodeRenamed(node_id))
        return old

    def move(self, node_id: str, pos: tuple[float, float]) -> None:
        """Set a node's canvas position."""
        self.node(node_id).pos = (float(pos[0]), float(pos[1]))
        self._emit(NodeMoved(node_id))

    def reorder(self, order: list[str]) -> None:
        """List the nodes named in `order` first, in that order (files list nodes so; undo restores
        it)."""
        known = [nid for nid in order if nid in self.nodes]
        chosen = set(known)
        items = [
            (nid, self.nodes[nid]) for nid in known + [n for n in self.nodes if n not in chosen]
        ]
        self.nodes.clear()
        self.nodes.update(items)

    def copy(self) -> "Graph":
        """A deep copy with no observers (e.g. a frozen graph for a training run)."""
        other = Graph()
        for node in self.nodes.values():
            other.add_node(
                node.block, node.params, node.pos, node.name, node.id, copy.deepcopy(node.extra)
            )
        for edge in self.edges:
            other.connect(edge.src, edge.dst, edge.port)
        other._ids = itertools.count(next(copy.copy(self._ids)))
        other.collapsed = set(self.collapsed)
        return other

    def clear(self) -> None:
        """Remove everything (one 'reset' event); ids handed out before are never handed out
        again."""
        observers, self._observers = self._observers, []
        ids = self._ids
        self.__init__()
        self._observers, self._ids = observers, ids  # collapsed groups are cleared with the nodes
        self._emit(GraphReset())

    def replace_with(self, other: "Graph") -> None:
        """Make this graph equal `other` (nodes in its order, wires, names, ids), keeping this
        object and its observers; one GraphReset event. Ids either graph handed out are never handed
        out again."""
        observers, self._observers = self._observers, []
        used = max(next(copy.copy(self._ids)), next(copy.copy(other._ids)))
        try:
            self.__init__()
            for node in other.nodes.values():
                self.add_node(
                    node.block, node.params, node.pos, node.name, node.id, copy.deepcopy(node.extra)
                )
            for edge in other.edges:
                self.connect(edge.src, edge.dst, edge.port)
            self.collapsed = set(other.collapsed)
        finally:
            self._observers, self._ids = observers, itertools.count(used)
        self._emit(GraphReset())

    # ----- helpers ---------------------------------------------------------------------
    def _fresh_id(self) -> str:
        while True:
            candidate = f"n{next(self._ids)}"
            if candidate not in self.nodes:
                return candidate

    @staticmethod
    def _check_group(group: object, node_id: str) -> None:
        problem = group_name_problem(group)
        if problem:
            raise GroupError(problem, node_id)

    def _check_name(self, name: str, node_id: str) -> None:
        problem = name_problem(name)
        if problem:
            raise ParamError(problem, node_id, "name")
        if any(n.name == name and n.id != node_id for n in self.nodes.values()):
            raise ParamError(f"another node is already called '{name}'", node_id, "name")

    @staticmethod
    def _resolve(
        spec: BlockSpec, params: Mapping[str, Any], node_id: str, name: str
    ) -> dict[str, Any]:
        try:
            return spec.resolve(params)
        except ParamValueError as exc:
            raise ParamError(f"{spec.title} '{name}': {exc}", node_id, exc.param) from None


def chain(
    graph: Graph, blocks: Iterable[tuple[str, Mapping[str, Any]]], start: str | None = None
) -> list[str]:
    """Append a linear chain of (block, params) to `graph` after node `start`; returns the new
    ids."""
    ids = []
    prev = start
    for block, params in blocks:
        node = graph.add_node(block, params)
        if prev is not None:
            graph.connect(prev, node.id)
        prev = node.id
        ids.append(node.id)
    return ids
