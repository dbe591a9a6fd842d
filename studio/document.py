"""The open project with its undo stack and a live analysis, shared by every panel of the window."""
from __future__ import annotations

from typing import Any, Mapping

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from runtime.analysis import Analysis, analyze
from runtime.graph import GraphEvent
from runtime.project import Project
from studio.commands import GraphCommand, SetSection


class Document(QObject):
    """Holds the live Project; edits go through `execute` (undoable); analysis refreshes after changes."""

    graph_changed = Signal(object)
    """A GraphEvent from the model (the scene mirrors these)."""
    analysis_changed = Signal()
    """The analysis was recomputed (labels, table and problems refresh)."""
    project_replaced = Signal()
    """A different project (New, Open, Template, Recover) is now the live one."""
    section_changed = Signal(str)
    """The project's 'data' or 'training' section was replaced (an edit, its undo or its redo)."""

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.batch_size = 1
        self._project = project or Project()
        self._project.graph.subscribe(self._on_event)
        self._analysis: Analysis | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh_analysis)

    @property
    def project(self) -> Project:
        """The live project."""
        return self._project

    @property
    def analysis(self) -> Analysis:
        """The analysis of the current graph (recomputed now if an edit is pending)."""
        if self._analysis is None:
            self._analysis = analyze(self._project, self.batch_size)
        return self._analysis

    def replace(self, project: Project) -> None:
        """Make `project` the live one: fresh undo history, full refresh."""
        self._project.graph.unsubscribe(self._on_event)
        self._project = project
        project.graph.subscribe(self._on_event)
        self.undo_stack.clear()
        self._analysis = None
        self.project_replaced.emit()
        self.refresh_analysis()

    def execute(self, command: GraphCommand) -> None:
        """Apply `command` now (a refused edit raises GraphError and pushes nothing), then record it."""
        command.apply()
        command._skip_redo = True
        self.undo_stack.push(command)

    def set_section(self, section: str, value: Mapping[str, Any], field: str) -> bool:
        """Replace project.data or project.training with `value` as an undoable edit of `field`
        (consecutive edits of one field are one undo step); False when nothing changes."""
        if dict(value) == getattr(self._project, section):
            return False
        self.execute(SetSection(self._project, section, value, field, self.section_changed.emit))
        return True

    def push_group(self, text: str, commands: list[QUndoCommand]) -> None:
        """Execute several commands as one undo step."""
        self.undo_stack.beginMacro(text)
        try:
            for command in commands:
                self.execute(command)
        finally:
            self.undo_stack.endMacro()

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
        self._analysis = analyze(self._project, self.batch_size)
        self.analysis_changed.emit()

    def _on_event(self, event: GraphEvent) -> None:
        self.graph_changed.emit(event)
        if event.kind != "node_moved":
            self.invalidate()
