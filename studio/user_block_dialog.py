"""The "Save as block" dialog: name, description, and which inner parameters the block exposes.

Each row is one parameter of one selected layer; ticking it exposes it under the name in its last
column. Rows given the same name become one parameter of the block that sets all of them (say
`width` for conv1.out_channels and conv2.out_channels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from runtime.graph import Graph
from studio.dialog_footer import lay_out_with_footer

EXPOSE, LAYER, PARAM, VALUE, NAME = range(5)
COLUMNS = ("Expose", "Layer", "Parameter", "Value", "Exposed as")


@dataclass(frozen=True)
class BlockRequest:
    """What the person asked for: the block's name and text, its exposed parameters, and whether
    the selected layers are replaced by the new block."""

    name: str
    description: str
    exposed: list[tuple[str, list[tuple[str, str]]]]
    replace: bool


class SaveBlockDialog(QDialog):
    """Asks for a block's name, description and exposed parameters; `on_save` answers a request
    with None (saved: the dialog closes) or the one line that says why not (shown in red)."""

    def __init__(
        self,
        graph: Graph,
        node_ids: list[str],
        on_save: Callable[[BlockRequest], str | None],
        parent: QWidget | None = None,
        title: str = "Save Selection as Block",
        name: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.on_save = on_save
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("e.g. Double Conv")
        self.name.setMaxLength(60)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("What the block does (shown in the palette tooltip)")
        self.description.setFixedHeight(60)
        self.table = self._table(graph, node_ids)
        self.replace = QCheckBox("Replace the selected layers with the new block")
        self.replace.setChecked(True)
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Description", self.description)
        form.addRow("&Parameters", self.table)
        form.addRow("", self.replace)
        self.warning, self.error, self.save_button = lay_out_with_footer(
            self, form, "Save Block", self._save
        )
        self.warning.setText(
            "Tick a parameter to let each placed copy of the block set it. Give rows the same "
            "name to set them together."
        )
        self.resize(680, 640)

    def _table(self, graph: Graph, node_ids: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setHorizontalHeaderLabels(COLUMNS)
        table.verticalHeader().hide()
        table.setSelectionMode(QAbstractItemView.NoSelection)
        chosen = set(node_ids)
        for nid in graph.topological_order():
            if nid not in chosen:
                continue
            node = graph.nodes[nid]
            for spec in node.spec.params:
                row = table.rowCount()
                table.insertRow(row)
                tick = QTableWidgetItem()
                tick.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
                tick.setCheckState(Qt.Unchecked)
                table.setItem(row, EXPOSE, tick)
                for column, text in (
                    (LAYER, node.name),
                    (PARAM, spec.name),
                    (VALUE, str(node.params.get(spec.name))),
                ):
                    item = QTableWidgetItem(text)
                    item.setFlags(Qt.ItemIsEnabled)
                    if spec.help:
                        item.setToolTip(spec.help)
                    table.setItem(row, column, item)
                table.setItem(row, NAME, QTableWidgetItem(spec.name))
        table.itemChanged.connect(self._name_typed)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.Stretch)
        return table

    def _name_typed(self, item: QTableWidgetItem) -> None:
        """Typing a name of its own for a parameter exposes it."""
        param = self.table.item(item.row(), PARAM)
        tick = self.table.item(item.row(), EXPOSE)
        if item.column() != NAME or param is None or tick is None:
            return  # another column, or the row is still being filled
        if item.text().strip() != param.text():
            tick.setCheckState(Qt.Checked)

    def row_of(self, layer: str, param: str) -> int:
        """The table row of `layer`'s parameter `param`."""
        for row in range(self.table.rowCount()):
            if (self.table.item(row, LAYER).text(), self.table.item(row, PARAM).text()) == (
                layer,
                param,
            ):
                return row
        raise KeyError(f"{layer}.{param}")

    def request(self) -> BlockRequest:
        """The block the dialog describes now."""
        exposed: dict[str, list[tuple[str, str]]] = {}
        for row in range(self.table.rowCount()):
            if self.table.item(row, EXPOSE).checkState() != Qt.Checked:
                continue
            name = self.table.item(row, NAME).text().strip()
            binding = (self.table.item(row, LAYER).text(), self.table.item(row, PARAM).text())
            exposed.setdefault(name, []).append(binding)
        return BlockRequest(
            self.name.text(),
            self.description.toPlainText(),
            list(exposed.items()),
            self.replace.isChecked(),
        )

    def _save(self) -> None:
        problem = self.on_save(self.request())
        if problem:
            self.error.setText(problem)
            return
        self.error.clear()
        self.accept()
