"""Undoable edits: small QUndoCommands that call Graph methods (the scene follows the graph's events),
and SetSection for the data and training settings."""
from __future__ import annotations

import copy
from typing import Any, Callable, Iterable, Mapping

from PySide6.QtGui import QUndoCommand

from runtime.errors import ConvStudioError, GraphError
from runtime.graph import Edge, Graph
from runtime.project import Project, project_from_dict

NodeRecord = dict[str, Any]
"""A node as plain data: block, params, pos, name, id, extra."""


def node_record(graph: Graph, node_id: str) -> NodeRecord:
    """Everything needed to re-create node `node_id` exactly."""
    n = graph.node(node_id)
    return {"block": n.block, "params": dict(n.params), "pos": n.pos, "name": n.name, "id": n.id,
            "extra": dict(n.extra)}


class GraphCommand(QUndoCommand):
    """Base: `apply()` does the edit (may raise GraphError before anything is pushed), `revert()` undoes it."""

    def __init__(self, project: Project, text: str) -> None:
        super().__init__(text)
        self.project = project
        self._skip_redo = False

    @property
    def graph(self) -> Graph:
        """The graph this command edits."""
        return self.project.graph

    def apply(self) -> None:
        """Perform the edit."""
        raise NotImplementedError

    def revert(self) -> None:
        """Undo the edit."""
        raise NotImplementedError

    def redo(self) -> None:
        """Qt's redo: skipped once right after `execute` already applied the edit."""
        if self._skip_redo:
            self._skip_redo = False
            return
        self.apply()

    def undo(self) -> None:
        """Qt's undo."""
        self.revert()


class AddNodes(GraphCommand):
    """Add nodes (and wires among/to them): add, paste, duplicate. Ids and names are fixed after the first run."""

    def __init__(self, project: Project, records: list[NodeRecord], edges: list[tuple[str, str, int]],
                 text: str = "Add") -> None:
        super().__init__(project, text)
        self.records = [dict(r) for r in records]
        self.edges = list(edges)  # endpoints may name records by their "key" (the id they had in the clipboard)
        self.added: list[str] = []

    def apply(self) -> None:
        """Add the nodes, then the wires; on any error, remove what was added and re-raise."""
        mapping: dict[str, str] = {}
        self.added = []
        try:
            for rec in self.records:
                node = self.graph.add_node(rec["block"], rec.get("params"), rec.get("pos", (0, 0)),
                                           rec.get("name"), rec.get("id"), rec.get("extra"))
                mapping[rec.get("key", node.id)] = node.id
                rec["id"], rec["name"] = node.id, node.name
                self.added.append(node.id)
            for src, dst, port in sorted(self.edges, key=lambda e: e[2]):
                self.graph.connect(mapping.get(src, src), mapping.get(dst, dst), port)
        except GraphError:
            self.revert()
            raise
        self.edges = [(mapping.get(s, s), mapping.get(d, d), p) for s, d, p in self.edges]
        for rec in self.records:
            rec.pop("key", None)

    def revert(self) -> None:
        """Remove the added nodes (their wires go with them)."""
        for nid in reversed(self.added):
            if nid in self.graph.nodes:
                self.graph.remove_node(nid)


class RemoveItems(GraphCommand):
    """Delete nodes (with their wires) and wires."""

    def __init__(self, project: Project, node_ids: Iterable[str], edges: Iterable[Edge] = (), text: str = "Delete"):
        super().__init__(project, text)
        self.node_ids = [n for n in project.graph.nodes if n in set(node_ids)]
        self.records = [node_record(project.graph, n) for n in self.node_ids]
        wires = set(edges)
        for nid in self.node_ids:
            wires |= set(project.graph.inputs_of(nid)) | set(project.graph.consumers(nid))
        self.wires = sorted(wires, key=lambda e: (e.dst, e.port))
        self.order = list(project.graph.nodes)

    def apply(self) -> None:
        """Disconnect the wires (highest port first), then remove the nodes."""
        for edge in sorted(self.wires, key=lambda e: -e.port):
            self.graph.disconnect(edge)
        for nid in self.node_ids:
            self.graph.remove_node(nid)

    def revert(self) -> None:
        """Re-create the nodes with their ids and names, then the wires in port order."""
        for rec in self.records:
            self.graph.add_node(rec["block"], rec["params"], rec["pos"], rec["name"], rec["id"], rec["extra"])
        restore_order(self.graph, self.order)
        for edge in sorted(self.wires, key=lambda e: e.port):
            self.graph.connect(edge.src, edge.dst, edge.port)


def restore_order(graph: Graph, order: list[str]) -> None:
    """Put re-added nodes back at their old place, so undo gives back the same file."""
    graph.reorder(order)


class Connect(GraphCommand):
    """Wire src → dst at `port` (next free one when None)."""

    def __init__(self, project: Project, src: str, dst: str, port: int | None = None) -> None:
        super().__init__(project, "Connect")
        self.src, self.dst, self.port = src, dst, port
        self.edge: Edge | None = None

    def apply(self) -> None:
        """Connect (validated by the graph)."""
        self.edge = self.graph.connect(self.src, self.dst, self.port)
        self.port = self.edge.port

    def revert(self) -> None:
        """Disconnect again."""
        self.graph.disconnect(self.edge)


class MoveNodes(GraphCommand):
    """Move nodes: a drag, or an auto-layout."""

    def __init__(self, project: Project, moves: Mapping[str, tuple[tuple[float, float], tuple[float, float]]],
                 text: str = "Move") -> None:
        super().__init__(project, text)
        self.moves = dict(moves)

    def apply(self) -> None:
        """Put every node at its new position."""
        for nid, (_, new) in self.moves.items():
            self.graph.move(nid, new)

    def revert(self) -> None:
        """Put every node back."""
        for nid, (old, _) in self.moves.items():
            self.graph.move(nid, old)


class SetParams(GraphCommand):
    """Change parameters of one or several nodes of one type; all-or-nothing."""

    def __init__(self, project: Project, node_ids: list[str], changes: Mapping[str, Any]) -> None:
        super().__init__(project, "Change " + ", ".join(changes))
        self.node_ids = list(node_ids)
        self.changes = dict(changes)
        self.old: dict[str, dict[str, Any]] = {}

    def apply(self) -> None:
        """Set the values on every node; a refused value restores the ones already changed."""
        self.old = {}
        try:
            for nid in self.node_ids:
                self.old[nid] = self.graph.set_params(nid, self.changes)
        except GraphError:
            self.revert()
            raise

    def revert(self) -> None:
        """Restore the previous values."""
        for nid, old in self.old.items():
            self.graph.set_params(nid, old)


class Rename(GraphCommand):
    """Rename a node."""

    def __init__(self, project: Project, node_id: str, name: str) -> None:
        super().__init__(project, f"Rename to {name}")
        self.node_id, self.name, self.old = node_id, name, project.graph.node(node_id).name

    def apply(self) -> None:
        """Rename (validated by the graph)."""
        self.old = self.graph.rename(self.node_id, self.name)

    def revert(self) -> None:
        """Restore the old name."""
        self.graph.rename(self.node_id, self.old)


class SetInputShape(GraphCommand):
    """Change the project's input size (C, H, W)."""

    def __init__(self, project: Project, shape: tuple[int, int, int], notify: Callable[[], None]) -> None:
        super().__init__(project, "Change input size")
        self.new, self.old, self.notify = tuple(shape), tuple(project.input_shape), notify

    def apply(self) -> None:
        """Set the new size."""
        self.project.input_shape = self.new
        self.notify()

    def revert(self) -> None:
        """Restore the old size."""
        self.project.input_shape = self.old
        self.notify()


class Snapshot(GraphCommand):
    """An edit done by a whole-graph function (e.g. expanding a composite): undo restores the saved graph."""

    def __init__(self, project: Project, edit: Callable[[Project], Any], text: str) -> None:
        super().__init__(project, text)
        self.edit = edit
        self.before: dict[str, Any] | None = None
        self.after: dict[str, Any] | None = None

    def apply(self) -> None:
        """Run the edit the first time, replay the resulting graph afterwards."""
        if self.after is not None:
            _restore(self.project, self.after)
            return
        self.before = self.project.to_dict()
        try:
            self.edit(self.project)
        except ConvStudioError:
            _restore(self.project, self.before)
            raise
        self.after = self.project.to_dict()

    def revert(self) -> None:
        """Restore the graph as it was before."""
        _restore(self.project, self.before)


def _restore(project: Project, doc: dict[str, Any]) -> None:
    """Make `project.graph` equal the graph of `doc`, keeping the Graph object (and its observers)."""
    fresh = project_from_dict(doc).graph
    graph = project.graph
    graph.clear()
    for node in fresh.nodes.values():
        graph.add_node(node.block, node.params, node.pos, node.name, node.id, node.extra)
    for edge in fresh.edges:
        graph.connect(edge.src, edge.dst, edge.port)


SECTIONS = ("data", "training")
"""Project sections replaced as a whole by SetSection."""
_SECTION_COMMAND_ID = 7100


class SetSection(GraphCommand):
    """Replace the project's `data` or `training` dict; consecutive edits of one field merge into one step."""

    def __init__(self, project: Project, section: str, value: Mapping[str, Any], field_name: str,
                 notify: Callable[[str], None]) -> None:
        if section not in SECTIONS:
            raise ValueError(f"unknown project section '{section}'")
        super().__init__(project, f"Change {section} setting {field_name}")
        self.section, self.field_name, self.notify = section, field_name, notify
        self.old = copy.deepcopy(getattr(project, section))
        self.new = copy.deepcopy(dict(value))

    def apply(self) -> None:
        """Put the new dict in place."""
        self._put(self.new)

    def revert(self) -> None:
        """Put the old dict back."""
        self._put(self.old)

    def _put(self, value: dict[str, Any]) -> None:
        setattr(self.project, self.section, copy.deepcopy(value))
        self.notify(self.section)

    def id(self) -> int:
        """One merge id per section (QUndoStack only merges commands with equal ids)."""
        return _SECTION_COMMAND_ID + SECTIONS.index(self.section)

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Absorb a following edit of the same field; a step that ends where it began becomes obsolete."""
        if not isinstance(other, SetSection) or other.project is not self.project \
                or (other.section, other.field_name) != (self.section, self.field_name):
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)
        return True
