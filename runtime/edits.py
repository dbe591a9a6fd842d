"""Every change a user can make to a project, as a small undoable object without Qt.

An edit is built from plain values, then `apply(project)` performs it and `revert(project)` undoes
it; apply, revert, apply, … may repeat any number of times and always give the same project. A
refused edit raises a GraphError (or another ConvStudioError) *before* anything changes, so the
project is left as it was. The editor wraps edits in its undo stack; scripts and tests use them
directly.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Hashable, Iterable, Mapping

from runtime.errors import ConvStudioError, GraphError, PortError, SectionError
from runtime.graph import Edge, Graph
from runtime.project import SECTIONS, TASKS, Project

NodeRecord = dict[str, Any]
"""A node as plain data: block, and optionally params, pos, name, id, extra, and `key` (the id the
node had where it was copied from, so that wires of a paste can name it)."""

Position = tuple[float, float]


def node_record(graph: Graph, node_id: str) -> NodeRecord:
    """Everything needed to re-create node `node_id` exactly."""
    n = graph.node(node_id)
    return {
        "block": n.block,
        "params": dict(n.params),
        "pos": n.pos,
        "name": n.name,
        "id": n.id,
        "extra": copy.deepcopy(n.extra),
    }


class Edit:
    """Base of every edit: `text` names it in Undo/Redo menus."""

    text: str = "Edit"

    def apply(self, project: Project) -> None:
        """Perform the edit, or raise a ConvStudioError and change nothing."""
        raise NotImplementedError

    def revert(self, project: Project) -> None:
        """Undo the edit (only called right after `apply` on the same project state)."""
        raise NotImplementedError

    def merge_key(self) -> Hashable | None:
        """Edits with equal, non-None keys that follow each other may be merged into one step."""
        return None

    def merge(self, other: "Edit") -> bool:
        """Absorb `other` (already applied, right after this one); False when it cannot be
        absorbed."""
        return False

    def is_noop(self) -> bool:
        """True when applying this edit changes nothing (e.g. merged edits that end where they
        began)."""
        return False


class AddNodes(Edit):
    """Add nodes and wires among them (or to existing nodes): add a block, paste, duplicate.

    Ids and names are chosen on the first apply and kept afterwards, so redo gives the same
    nodes."""

    def __init__(
        self,
        records: Iterable[NodeRecord],
        edges: Iterable[tuple[str, str, int]] = (),
        text: str = "Add",
    ) -> None:
        self.text = text
        self.records = [dict(r) for r in records]
        self.edges = [tuple(e) for e in edges]  # endpoints may name a record by its "key"
        self.added: list[str] = []

    def apply(self, project: Project) -> None:
        """Add the nodes, then the wires; on any refusal remove what was added and re-raise."""
        graph = project.graph
        mapping: dict[str, str] = {}
        self.added = []
        try:
            for rec in self.records:
                node = graph.add_node(
                    rec["block"],
                    rec.get("params"),
                    rec.get("pos", (0.0, 0.0)),
                    rec.get("name"),
                    rec.get("id"),
                    rec.get("extra"),
                )
                mapping[rec.get("key", node.id)] = node.id
                self.added.append(node.id)
            for src, dst, port in sorted(self.edges, key=lambda e: e[2]):
                graph.connect(mapping.get(src, src), mapping.get(dst, dst), port)
        except (GraphError, KeyError, TypeError, ValueError) as exc:
            self._remove_added(graph)
            if isinstance(exc, GraphError):
                raise
            raise GraphError(f"a node to add is incomplete or malformed ({exc})") from None
        for rec, nid in zip(self.records, self.added):
            rec["id"], rec["name"] = nid, graph.nodes[nid].name
            rec.pop("key", None)
        self.edges = [(mapping.get(s, s), mapping.get(d, d), p) for s, d, p in self.edges]

    def revert(self, project: Project) -> None:
        """Remove the added nodes (their wires go with them)."""
        self._remove_added(project.graph)

    def _remove_added(self, graph: Graph) -> None:
        for nid in reversed(self.added):
            if nid in graph.nodes:
                graph.remove_node(nid)


class RemoveItems(Edit):
    """Delete nodes (with every wire touching them) and wires."""

    def __init__(
        self, node_ids: Iterable[str] = (), edges: Iterable[Edge] = (), text: str = "Delete"
    ) -> None:
        self.text = text
        self.node_ids = list(dict.fromkeys(node_ids))
        self.edges = list(dict.fromkeys(edges))
        self._records: list[NodeRecord] = []
        self._wires: list[Edge] = []
        self._order: list[str] = []

    def apply(self, project: Project) -> None:
        """Check every item exists, then disconnect the wires (highest port first) and remove the
        nodes."""
        graph = project.graph
        for nid in self.node_ids:
            graph.node(nid)
        for edge in self.edges:
            if edge.dst not in graph.nodes or edge not in graph.inputs_of(edge.dst):
                raise PortError(
                    f"there is no wire {edge.src} → {edge.dst} at port {edge.port}", edge.dst
                )
        chosen = set(self.node_ids)
        self._order = list(graph.nodes)
        ordered = [nid for nid in self._order if nid in chosen]
        self._records = [node_record(graph, nid) for nid in ordered]
        wires = set(self.edges)
        for nid in ordered:
            wires |= set(graph.inputs_of(nid)) | set(graph.consumers(nid))
        self._wires = sorted(wires, key=lambda e: (e.dst, e.port))
        for edge in sorted(self._wires, key=lambda e: -e.port):
            graph.disconnect(edge)
        for nid in ordered:
            graph.remove_node(nid)

    def revert(self, project: Project) -> None:
        """Re-create the nodes with their ids and names at their old places, then the wires in port
        order."""
        graph = project.graph
        for rec in self._records:
            graph.add_node(
                rec["block"], rec["params"], rec["pos"], rec["name"], rec["id"], rec["extra"]
            )
        graph.reorder(self._order)
        # lowest port first: each wire goes back where it was, before the inputs that followed it
        for edge in sorted(self._wires, key=lambda e: e.port):
            graph.reconnect(edge)


class Connect(Edit):
    """Wire src → dst at `port` (the next free one when None)."""

    def __init__(self, src: str, dst: str, port: int | None = None, text: str = "Connect") -> None:
        self.text = text
        self.src, self.dst, self.port = src, dst, port
        self.edge: Edge | None = None

    def apply(self, project: Project) -> None:
        """Connect (the graph checks the ports and refuses cycles)."""
        self.edge = project.graph.connect(self.src, self.dst, self.port)
        self.port = self.edge.port

    def revert(self, project: Project) -> None:
        """Disconnect again."""
        if self.edge is not None:
            project.graph.disconnect(self.edge)


class Disconnect(Edit):
    """Remove one wire (later inputs of a merge move down by one, and back on undo)."""

    def __init__(self, edge: Edge, text: str = "Disconnect") -> None:
        self.text = text
        self.edge = edge

    def apply(self, project: Project) -> None:
        """Disconnect (PortError when there is no such wire)."""
        project.graph.disconnect(self.edge)

    def revert(self, project: Project) -> None:
        """Put the wire back at its port (later inputs move up again)."""
        project.graph.reconnect(self.edge)


class MoveNodes(Edit):
    """Move nodes: a drag, or an auto-layout. `moves` maps a node id to its new position."""

    def __init__(self, moves: Mapping[str, Position], text: str = "Move") -> None:
        self.text = text
        self.moves = {nid: (float(x), float(y)) for nid, (x, y) in moves.items()}
        self._old: dict[str, Position] = {}

    def apply(self, project: Project) -> None:
        """Put every node at its new position (all named nodes must exist)."""
        graph = project.graph
        self._old = {nid: graph.node(nid).pos for nid in self.moves}
        for nid, pos in self.moves.items():
            graph.move(nid, pos)

    def revert(self, project: Project) -> None:
        """Put every node back."""
        for nid, pos in self._old.items():
            project.graph.move(nid, pos)


class SetParams(Edit):
    """Change parameters of one or several nodes; all-or-nothing."""

    def __init__(
        self, node_ids: Iterable[str], changes: Mapping[str, Any], text: str | None = None
    ) -> None:
        self.node_ids = list(node_ids)
        self.changes = dict(changes)
        self.text = text or "Change " + ", ".join(self.changes)
        self._old: dict[str, dict[str, Any]] = {}

    def apply(self, project: Project) -> None:
        """Set the values on every node; a refused value restores the nodes already changed."""
        graph = project.graph
        self._old = {}
        try:
            for nid in self.node_ids:
                before = dict(graph.node(nid).params)
                graph.set_params(nid, self.changes)
                self._old[nid] = before
        except GraphError:
            self.revert(project)
            raise

    def revert(self, project: Project) -> None:
        """Restore every node's previous parameters."""
        for nid, old in reversed(list(self._old.items())):
            project.graph.set_params(nid, old)


class Rename(Edit):
    """Rename a node."""

    def __init__(self, node_id: str, name: str) -> None:
        self.text = f"Rename to {name}"
        self.node_id, self.name = node_id, name
        self._old = ""

    def apply(self, project: Project) -> None:
        """Rename (the graph checks the name is valid and unused)."""
        self._old = project.graph.rename(self.node_id, self.name)

    def revert(self, project: Project) -> None:
        """Restore the old name."""
        project.graph.rename(self.node_id, self._old)


class RenameProject(Edit):
    """Rename the project itself (window title, exported class name)."""

    def __init__(self, name: str) -> None:
        self.text = f"Rename project to {name.strip()}"
        self.name = name
        self._old = ""

    def apply(self, project: Project) -> None:
        """Rename (ProjectNameError for an empty, over-long or control-character name)."""
        self._old = project.set_name(self.name)

    def revert(self, project: Project) -> None:
        """Restore the old name."""
        project.set_name(self._old)


class SetInputShape(Edit):
    """Change the project's input size (C, H, W)."""

    def __init__(self, shape: Iterable[int], text: str = "Change input size") -> None:
        self.text = text
        self.shape = tuple(shape)
        self._old: tuple[int, int, int] | None = None

    def apply(self, project: Project) -> None:
        """Set the new size (InputShapeError unless three positive integers)."""
        old = tuple(project.input_shape)
        project.set_input_shape(self.shape)  # type: ignore[arg-type]
        self._old = old  # type: ignore[assignment]

    def revert(self, project: Project) -> None:
        """Restore the old size."""
        if self._old is not None:
            project.set_input_shape(self._old)


class SetSection(Edit):
    """Replace the project's `data` or `training` section; consecutive edits of one field merge."""

    def __init__(self, section: str, value: Mapping[str, Any], field_name: str) -> None:
        if section not in SECTIONS:
            raise SectionError(
                f"unknown project section '{section}' (known: {', '.join(SECTIONS)})"
            )
        self.text = f"Change {section} setting {field_name}"
        self.section, self.field_name = section, field_name
        self.new = copy.deepcopy(dict(value))
        self.old: dict[str, Any] | None = None

    def apply(self, project: Project) -> None:
        """Put the new section in place (the old one is kept for undo)."""
        if self.old is None:
            self.old = copy.deepcopy(getattr(project, self.section))
        project.set_section(self.section, self.new)

    def revert(self, project: Project) -> None:
        """Put the old section back."""
        project.set_section(self.section, self.old or {})

    def merge_key(self) -> Hashable:
        """One key per section and field: typing into one field is one undo step."""
        return ("section", self.section, self.field_name)

    def merge(self, other: Edit) -> bool:
        """Take over the later edit's value of the same field."""
        if not isinstance(other, SetSection) or other.merge_key() != self.merge_key():
            return False
        self.new = copy.deepcopy(other.new)
        return True

    def is_noop(self) -> bool:
        """True when the section ends as it began."""
        return self.old is not None and self.new == self.old


class SetTask(Edit):
    """Set the project's task (classification or segmentation); undo restores the old one."""

    def __init__(self, task: str) -> None:
        if task not in TASKS:
            raise SectionError(f"unknown task '{task}' (known: {', '.join(TASKS)})")
        self.text = f"Set task to {task}"
        self.new = task
        self.old: str | None = None

    def apply(self, project: Project) -> None:
        """Set the new task (the old one is kept for undo)."""
        if self.old is None:
            self.old = project.task
        project.set_task(self.new)

    def revert(self, project: Project) -> None:
        """Put the old task back."""
        project.set_task(self.old or "classification")

    def is_noop(self) -> bool:
        """True when the task does not change."""
        return self.old is not None and self.new == self.old


class ReplaceGraph(Edit):
    """Replace the whole graph (expanding a composite, and later imports); undo restores the old
    one.

    Give either the new graph, or `build`: a function that edits a copy of the project in place. It
    runs once, on the first apply, against a copy, so a refusal leaves the live project
    untouched."""

    def __init__(
        self, text: str, graph: Graph | None = None, build: Callable[[Project], Any] | None = None
    ) -> None:
        if (graph is None) == (build is None):
            raise ValueError("ReplaceGraph needs exactly one of `graph` and `build`")
        self.text = text
        self._after = graph.copy() if graph is not None else None
        self._build = build
        self._before: Graph | None = None
        self.result: Any = None
        """What `build` returned (e.g. the new node ids of an expansion)."""

    def apply(self, project: Project) -> None:
        """Build the new graph on a copy (first time only), then put it in place."""
        if self._after is None:
            work = project.copy()
            assert self._build is not None
            self.result = self._build(work)
            self._after = work.graph
        self._before = project.graph.copy()
        project.graph.replace_with(self._after)

    def revert(self, project: Project) -> None:
        """Put the old graph back."""
        if self._before is not None:
            project.graph.replace_with(self._before)


class EditGroup(Edit):
    """Several edits as one step: applied in order (all or nothing), reverted in reverse order."""

    def __init__(self, edits: Iterable[Edit], text: str) -> None:
        self.text = text
        self.edits = list(edits)

    def apply(self, project: Project) -> None:
        """Apply each edit; when one is refused, revert the ones applied before and re-raise."""
        done: list[Edit] = []
        try:
            for edit in self.edits:
                edit.apply(project)
                done.append(edit)
        except ConvStudioError:
            for edit in reversed(done):
                edit.revert(project)
            raise

    def revert(self, project: Project) -> None:
        """Revert every edit, last first."""
        for edit in reversed(self.edits):
            edit.revert(project)
