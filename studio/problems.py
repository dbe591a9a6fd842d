"""The problems panel: every error (red) and warning (orange) of the analysis; clicking one selects
and centres its node."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from studio.document import Document

NODE_ROLE = Qt.UserRole + 1
WARNING_COLOUR = "#e65100"
"""Orange: does not stop training or export."""


class ProblemsPanel(QListWidget):
    """One line per problem, naming the node at fault."""

    node_chosen = Signal(str)
    """The node id of a clicked problem."""
    counted = Signal(int)
    """How many problems are listed (after each refresh)."""

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.notes: dict[str, list[tuple[str | None, str]]] = {}
        self.setWordWrap(True)
        self.itemClicked.connect(self._clicked)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.refresh)
        doc.analysis_changed.connect(self._debounce.start)
        self.refresh()

    def refresh(self) -> None:
        """List the current problems (or say there are none)."""
        self.clear()
        graph = self.doc.project.graph
        for problem in self.doc.analysis.problems:
            where = (
                graph.nodes[problem.node_id].name if problem.node_id in graph.nodes else "network"
            )
            item = QListWidgetItem(f"⚠ {where}: {problem.message}")
            item.setData(NODE_ROLE, problem.node_id)
            item.setForeground(QColor("#b71c1c"))
            item.setToolTip(problem.message)
            self.addItem(item)
        for warning in self.doc.analysis.warnings:
            item = QListWidgetItem(f"⚠ {warning.message}")
            item.setData(NODE_ROLE, warning.node_id)
            item.setForeground(QColor(WARNING_COLOUR))
            item.setToolTip(warning.message)
            self.addItem(item)
        for node_id, message in (n for notes in self.notes.values() for n in notes):
            item = QListWidgetItem(f"⚠ {message}")
            item.setData(NODE_ROLE, node_id)
            item.setForeground(QColor(WARNING_COLOUR))
            item.setToolTip(message)
            self.addItem(item)
        if self.doc.analysis.pending:
            item = QListWidgetItem("Analysing the network: PyTorch is loading…")
            item.setForeground(QColor("#616161"))
            self.addItem(item)
        elif not self.doc.analysis.problems:
            item = QListWidgetItem(
                "No errors: the network can be trained and exported."
                if self.doc.analysis.warnings
                else "No problems: the network can be trained and exported."
            )
            item.setForeground(QColor("#2e7d32"))
            self.addItem(item)
        analysis = self.doc.analysis
        self.counted.emit(
            len(analysis.problems)
            + len(analysis.warnings)
            + sum(len(n) for n in self.notes.values())
        )

    def set_notes(self, source: str, notes: list[tuple[str | None, str]]) -> None:
        """Warnings from elsewhere (e.g. live training health) as (node id or None, one line), by
        source."""
        if self.notes.get(source, []) != notes:
            self.notes[source] = list(notes)
            self.refresh()

    def _clicked(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id:
            self.node_chosen.emit(node_id)
