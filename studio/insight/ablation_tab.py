"""Ablation without retraining: the accuracy table over all layers, and bypassing a node on the
canvas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout

from blocks.lazy import lazy
from studio.insight.panel import InsightPanel, Tab, hbox


if TYPE_CHECKING:
    from runtime.insight.ablation import AblationTable
ablation = lazy("runtime.insight.ablation")

IMAGES = 1000
COLUMNS = ["layer", "block", "bypassed", "Δ points", "zeroed", "accuracy", "Δ points", "note"]


class AblationTab(Tab):
    """Measure every layer; select a row or a canvas node and bypass it (one undoable edit)."""

    KIND = "ablate"

    def __init__(
        self,
        panel: InsightPanel,
        toggle_bypass: Callable[[str], None],
        select_layer: Callable[[str], None],
    ) -> None:
        super().__init__(panel)
        self.toggle_bypass = toggle_bypass
        self.select_layer = select_layer
        measure = QPushButton("Measure All Layers")
        measure.clicked.connect(self.measure)
        self.zero = QSpinBox()
        self.zero.setRange(0, 4096)
        self.zero.setSpecialValueText("half")
        self.zero.setPrefix("zero ")
        self.zero.setSuffix(" channels")
        self.zero.setToolTip(
            "How many of each layer's most active channels to zero ('half' by default)"
        )
        self.bypass = QPushButton("Bypass / Restore Selected Node")
        self.bypass.setToolTip(
            "Run the node selected on the canvas as the identity (greyed; undo restores it)"
        )
        self.bypass.clicked.connect(self._bypass_selected)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._row_selected)
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(measure, self.zero, self.bypass, None))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    def measure(self) -> None:
        """Build the table on the worker."""
        zero = self.zero.value() or None

        def job(session, cancelled):
            return ablation.ablation_table(session, IMAGES, zero, cancelled=cancelled)

        if self.panel.run("ablate", job):
            self.message.setText(f"Ablating every layer on {IMAGES:,} validation images…")

    def _bypass_selected(self) -> None:
        layer = self.panel.selected_layer()
        if layer is None:
            self.message.setText("Select a node on the canvas (or a row here) to bypass it.")
            return
        self.toggle_bypass(layer)

    def _row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.select_layer(self.table.item(rows[0].row(), 0).text())

    def show_result(self, kind: str, result: Any) -> None:
        """Fill the table; the largest drops in the strongest red."""
        table: AblationTable = result
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(table.rows))
        for r, row in enumerate(table.rows):
            bypass_drop, zero_drop = table.drop(row.bypass_accuracy), table.drop(row.zero_accuracy)
            cells = [
                row.layer,
                row.block,
                _pct(row.bypass_accuracy),
                _pts(bypass_drop),
                f"{row.zeroed}/{row.channels}" if row.zeroed else "—",
                _pct(row.zero_accuracy),
                _pts(zero_drop),
                row.bypass_note,
            ]
            for c, text in enumerate(cells):
                item = _Item(text)
                if c in (3, 6):
                    drop = bypass_drop if c == 3 else zero_drop
                    item.setData(Qt.ItemDataRole.UserRole, -1.0 if drop is None else drop)
                    if drop is not None and drop > 0:
                        t = min(1.0, drop / max(table.baseline, 1e-9))
                        item.setBackground(QColor(255, int(255 - 130 * t), int(255 - 130 * t)))
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSortIndicator(
            -1, Qt.SortOrder.AscendingOrder
        )  # execution order
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        self.message.setText(
            f"Intact network: {table.baseline:.1%} on {table.samples:,} validation images. "
            "Δ is the accuracy lost; sort a Δ column to see which layers matter."
        )


class _Item(QTableWidgetItem):
    """Sorts Δ columns by value, the rest as text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(Qt.ItemDataRole.UserRole), other.data(Qt.ItemDataRole.UserRole)
        if mine is not None and theirs is not None:
            return float(mine) < float(theirs)
        return self.text() < other.text()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _pts(value: float | None) -> str:
    return "—" if value is None else f"{-value * 100:+.1f}"
