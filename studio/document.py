"""The open project with its undo stack and a live analysis, shared by every panel of the window.

Every change to the project goes through one of the intent methods below (`add_nodes`, `connect`,
`set_params`, …). Each builds an Edit (runtime.edits), applies it, and on success records it on the
undo stack; it returns None, or the reason the edit was refused (also emitted as `refused`).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from runtime.analysis import Analysis, analyze, pending_analysis
from runtime.edits import (
    AddNodes,
    Connect,
    Disconnect,
    Edit,
    EditGroup,
    MoveNodes,
    NodeRecord,
    Position,
    RemoveItems,
    Rename,
    RenameProject,
    ReplaceGraph,
    SetInputShape,
    SetParams,
    SetSection,
)
from runtime.errors import ConvStudioError
from runtime.group_edits import GroupNodes, RenameGroup, SetGroupCollapsed, Ungroup
from runtime.graph import Edge, Graph
from runtime.project import Project
from runtime.project_events import (
    GraphEvent,
    GroupCollapsed,
    NodeMoved,
    ProjectEvent,
    SectionChanged,
)
from studio.commands import UndoCommand
from studio.engine import engine_loader


def refusal_text(reason: str) -> str:
    """How every view words a refused edit."""
    return f"Not done: {reason}"


class Document(QObject):
    """Holds the live Project; edits go through the intent methods (undoable); analysis follows
    changes."""

    changed = Signal(object)
    """Every ProjectEvent of the live project (graph and project-level changes)."""
    graph_changed = Signal(object)
    """The GraphEvents among them (the canvas mirrors these)."""
    section_changed = Signal(str)
    """The project's 'data' or 'training' section was replaced (an edit, its undo or its redo)."""
    analysis_changed = Signal()
    """The analysis was recomputed (labels, table and problems refresh)."""
    project_replaced = Signal()
    """A different project (New, Open, Template, Recover) is now the live one."""
    refused = Signal(str)
    """An edit was refused; the reason (nothing changed)."""

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.batch_size = 1
        self.last_added: list[str] = []
        """The node ids the latest successful `add_nodes` created."""
        self._project = project or Project()
        self._project.subscribe(self._on_event)
        self._analysis: Analysis | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh_analysis)
        self._engine = engine_loader()
        if not self._engine.is_ready():
            self._engine.when_ready(self.refresh_analysis)

    @property
    def project(self) -> Project:
        """The live project."""
        return self._project

    @property
    def analysis(self) -> Analysis:
        """The analysis of the current graph (recomputed now if an edit is pending); while torch
        is still loading, a `pending` stand-in without figures (the real one follows)."""
        if self._analysis is None:
            self._analysis = self._analyze()
        return self._analysis

    def _analyze(self) -> Analysis:
        if not self._engine.is_ready():
            return pending_analysis(self._project, self.batch_size)
        return analyze(self._project, self.batch_size)

    def replace(self, project: Project) -> None:
        """Make `project` the live one: fresh undo history, full refresh."""
        self._project.unsubscribe(self._on_event)
        self._project = project
        project.subscribe(self._on_event)
        self.undo_stack.clear()
        self._analysis = None
        self.project_replaced.emit()
        self.refresh_analysis()

    def close(self) -> None:
        """Stop following the project and emitting signals (the window is being torn down)."""
        self.undo_stack.blockSignals(True)
        self.blockSignals(True)
        self._timer.stop()
        if self._on_event in self._project._observers:
            self._project.unsubscribe(self._on_event)

    # ----- the one edit path ---------------------------------------------------------------
    def execute(self, edit: Edit) -> str | None:
        """Apply `edit` and record it for undo; a refused edit changes and records nothing and
        returns (and emits as `refused`) the reason."""
        try:
            edit.apply(self._project)
        except ConvStudioError as exc:
            reason = str(exc)
            self.refused.emit(reason)
            return reason
        self.undo_stack.push(UndoCommand(self._project, edit))
        return None

    def add_nodes(
        self,
        records: Iterable[NodeRecord],
        edges: Iterable[tuple[str, str, int]] = (),
        text: str = "Add",
    ) -> str | None:
        """Add nodes (and wires among them or to existing nodes); their ids go to `last_added`."""
        edit = AddNodes(records, edges, text)
        reason = self.execute(edit)
        if reason is None:
            self.last_added = list(edit.added)
        return reason

    def remove_items(
        self, node_ids: Iterable[str] = (), edges: Iterable[Edge] = (), text: str = "Delete"
    ) -> str | None:
        """Delete nodes (with their wires) and wires."""
        return self.execute(RemoveItems(node_ids, edges, text))

    def connect(self, src: str, dst: str, port: int | None = None) -> str | None:
        """Wire src → dst at `port` (the next free one when None)."""
        return self.execute(Connect(src, dst, port))

    def disconnect(self, edge: Edge) -> str | None:
        """Remove one wire."""
        return self.execute(Disconnect(edge))

    def move_nodes(self, moves: Mapping[str, Position], text: str = "Move") -> str | None:
        """Move nodes to new positions (node id → position); unchanged positions are left out."""
        graph = self._project.graph
        changed = {
            nid: pos
            for nid, pos in moves.items()
            if nid not in graph.nodes or graph.nodes[nid].pos != pos
        }
        return self.execute(MoveNodes(changed, text)) if changed else None

    def set_params(self, node_ids: Iterable[str], changes: Mapping[str, Any]) -> str | None:
        """Set parameters on every given node (all or nothing)."""
        return self.execute(SetParams(node_ids, changes))

    def rename(self, node_id: str, name: str) -> str | None:
        """Give a node a new name."""
        return self.execute(Rename(node_id, name))

    def rename_project(self, name: str) -> str | None:
        """Give the project itself a new name (nothing happens when it is the same)."""
        if name.strip() == self._project.name:
            return None
        return self.execute(RenameProject(name))

    def set_input_shape(self, shape: Iterable[int]) -> str | None:
        """Change the input size (C, H, W)."""
        shape = tuple(shape)
        return (
            None
            if shape == tuple(self._project.input_shape)
            else self.execute(SetInputShape(shape))
        )

    def set_section(self, section: str, value: Mapping[str, Any], field: str) -> str | None:
        """Replace project.data or project.training with `value` as an undoable edit of `field`
        (consecutive edits of one field are one undo step); nothing happens when nothing changes."""
        if dict(value) == getattr(self._project, section, None):
            return None
        try:
            edit = SetSection(section, value, field)
        except ConvStudioError as exc:
            self.refused.emit(str(exc))
            return str(exc)
        return self.execute(edit)

    def replace_graph(
        self, text: str, graph: Graph | None = None, build: Callable[[Project], Any] | None = None
    ) -> str | None:
        """Replace the whole graph by `graph`, or by what `build` makes of a copy of the project."""
        return self.execute(ReplaceGraph(text, graph, build))

    def group_nodes(self, node_ids: Iterable[str], name: str) -> str | None:
        """Put nodes into a new group called `name`."""
        return self.execute(GroupNodes(node_ids, name))

    def ungroup(self, name: str) -> str | None:
        """Dissolve group `name` (its nodes stay)."""
        return self.execute(Ungroup(name))

    def rename_group(self, old: str, new: str) -> str | None:
        """Give group `old` the name `new`."""
        return self.execute(RenameGroup(old, new))

    def set_group_collapsed(self, name: str, collapsed: bool) -> str | None:
        """Draw group `name` as one node (collapsed) or as a frame around its nodes."""
        return self.execute(SetGroupCollapsed(name, collapsed))

    def push_group(self, text: str, edits: Iterable[Edit]) -> str | None:
        """Several edits as one undo step (all or nothing)."""
        return self.execute(EditGroup(edits, text))

    # ----- analysis -----------------------------------------------------------------------
    def set_batch_size(self, batch: int) -> None:
        """Batch size used for memory figures."""
        self.batch_size = max(1, int(batch))
        self.invalidate()

    def invalidate(self) -> None:
        """Schedule a re-analysis on the next turn of the event loop (many edits → one analysis)."""
        self._analysis = None
        self._timer.start()

    def refresh_analysis(self) -> None:
        """Recompute now and tell the panels."""
        self._timer.stop()
        self._analysis = self._analyze()
        self.analysis_changed.emit()

    def _on_event(self, event: ProjectEvent) -> None:
        self.changed.emit(event)
        if isinstance(event, GraphEvent):
            self.graph_changed.emit(event)
        if isinstance(event, SectionChanged):
            self.section_changed.emit(event.section)
        elif not isinstance(event, (NodeMoved, GroupCollapsed)):
            self.invalidate()
