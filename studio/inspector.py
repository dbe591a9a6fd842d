"""The inspector: a form generated from the selected block's ParamSpecs, applied at once, refused
with a reason.

Plain Qt widgets rather than pyqtgraph's parametertree: a refused value must never be applied nor
silently clamped, and the reason must be shown beside the form; plain editors give that control.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from runtime.format import PENDING, compact, count_text, shape_text
from runtime.project_events import GraphReset, NodeRemoved, NodeRenamed, ParamsChanged, ProjectEvent
from studio.document import Document, refusal_text
from studio.forms import FieldEditor


class Inspector(QWidget):
    """Shows and edits the parameters and name of the selected node(s)."""

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.node_ids: list[str] = []
        self.editors: dict[str, QWidget] = {}
        """Every editor widget by parameter name ("__name__": the node's name)."""
        self.fields: dict[str, FieldEditor] = {}
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("color: #555;")
        self.explanation.setMaximumHeight(110)
        self.explanation.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_host)
        self.setMinimumWidth(300)
        self.setMinimumHeight(340)
        layout = QVBoxLayout(self)
        for w in (self.heading, self.explanation, self.error):
            layout.addWidget(w)
        layout.addWidget(scroll, 1)
        doc.graph_changed.connect(self._on_event)
        doc.project_replaced.connect(lambda: self.show_nodes([]))
        doc.analysis_changed.connect(self._analysed)
        self.show_nodes([])

    def show_nodes(self, node_ids: list[str]) -> None:
        """Build the form for these nodes (all of one block type), or say why there is none."""
        graph = self.doc.project.graph
        self.node_ids = [n for n in node_ids if n in graph.nodes]
        self.error.clear()
        self._clear_form()
        if not self.node_ids:
            self._show_project()
            return
        blocks = {graph.nodes[n].block for n in self.node_ids}
        if len(blocks) > 1:
            self.heading.setText(
                f"{len(self.node_ids)} blocks of {len(blocks)} types selected: "
                "select blocks of one type to edit them together."
            )
            self.explanation.clear()
            return
        node = graph.nodes[self.node_ids[0]]
        spec = node.spec
        many = f" × {len(self.node_ids)} (edits apply to all)" if len(self.node_ids) > 1 else ""
        self.heading.setText(f"<b>{escape(spec.title)}</b>{many}")  # a user block's name
        self.explanation.setTextFormat(Qt.PlainText)  # a user block's description is plain text
        self.explanation.setText(spec.explanation)
        self.explanation.setToolTip(spec.explanation)
        if len(self.node_ids) == 1:
            name = QLineEdit(node.name)
            name.editingFinished.connect(lambda: self._rename(name))
            self.form.addRow("name", name)
            self.editors["__name__"] = name
        for param in spec.params:
            field = FieldEditor(param, lambda value, name=param.name: self.apply(name, value))
            field.show(node.params[param.name])
            label = QLabel(param.name)
            label.setToolTip(param.help)
            self.form.addRow(label, field.widget)
            self.fields[param.name] = field
            self.editors[param.name] = field.widget

    def _show_project(self) -> None:
        """Nothing selected: the project itself (name, description, size and cost of the
        network)."""
        project, analysis = self.doc.project, self.doc.analysis
        self.heading.setText(f"<b>{escape(project.name)}</b>")
        self.explanation.setTextFormat(Qt.AutoText)
        self.explanation.setText(
            project.description or "<i>Select a block to see and edit its parameters.</i>"
        )
        self.explanation.setToolTip(project.description)
        frozen = (
            f" trainable, {count_text(analysis.params_frozen)} frozen"
            if analysis.params_frozen
            else ""
        )
        name = QLineEdit(project.name)
        name.setToolTip(
            "The project's name: the window title and the exported class are named after it"
        )
        name.editingFinished.connect(lambda: self._rename_project(name))
        self.form.addRow("name", name)
        self.editors["__project__"] = name
        rows = [
            ("input", shape_text(project.input_shape)),
            ("blocks", count_text(len(project.graph.nodes))),
            ("parameters", count_text(analysis.params) + frozen),
            ("multiply-adds", compact(analysis.macs)),
            ("problems", str(len(analysis.problems)) if analysis.problems else "none"),
        ]
        if analysis.pending:
            rows[2:] = [(label, PENDING) for label, _ in rows[2:]]
        for label, value in rows:
            shown = QLabel(value)
            shown.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.form.addRow(label, shown)
        if project.description:  # otherwise the explanation line already says it
            self.form.addRow(QLabel("<i>Select a block to edit its parameters.</i>"))

    def _rename_project(self, editor: QLineEdit) -> None:
        reason = self.doc.rename_project(editor.text())
        if reason is not None:
            self.error.setText(refusal_text(reason))
            editor.setText(self.doc.project.name)
            return
        self.error.clear()

    def _analysed(self) -> None:
        if not self.node_ids:
            self.error.clear()  # an edit went through since any refusal shown
            self._clear_form()
            self._show_project()

    def _clear_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        self.fields = {}

    def apply(self, name: str, value: Any) -> bool:
        """Apply one parameter to every shown node; a refused value is not applied and its reason
        shown."""
        graph = self.doc.project.graph
        if all(graph.nodes[n].params.get(name) == value for n in self.node_ids):
            self.error.clear()  # the field holds the applied value again: nothing is refused
            return True
        reason = self.doc.set_params(self.node_ids, {name: value})
        if reason is not None:
            self._refuse(reason, name)
            return False
        self.error.clear()
        return True

    def _rename(self, editor: QLineEdit) -> None:
        if (
            not self.node_ids
            or editor.text() == self.doc.project.graph.nodes[self.node_ids[0]].name
        ):
            return
        reason = self.doc.rename(self.node_ids[0], editor.text())
        if reason is not None:
            self._refuse(reason, "__name__")
            return
        self.error.clear()

    def _refuse(self, reason: str, name: str) -> None:
        self.error.setText(refusal_text(reason))
        self._load_value(name)

    def _load_value(self, name: str) -> None:
        """Put the model's value back into one editor (without applying anything)."""
        if name not in self.editors or not self.node_ids:
            return
        node = self.doc.project.graph.nodes[self.node_ids[0]]
        if name in self.fields:
            self.fields[name].show(node.params[name])
            return
        editor = self.editors[name]
        editor.blockSignals(True)
        editor.setText(node.name)
        editor.blockSignals(False)

    def _on_event(self, event: ProjectEvent) -> None:
        match event:
            case NodeRemoved(node_id=nid) if nid in self.node_ids:
                self.show_nodes([n for n in self.node_ids if n != nid])
            case GraphReset():
                self.show_nodes(self.node_ids)
            case ParamsChanged(node_id=nid) | NodeRenamed(node_id=nid) if nid in self.node_ids:
                self.error.clear()  # a later edit (or undo) succeeded: an old refusal is stale
                for name in self.editors:
                    self._load_value(name)
