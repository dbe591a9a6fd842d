"""The analysis table: every node's shape and cost, a totals row, sortable; input and batch size
editable."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from runtime.format import PENDING, bytes_text, compact, count_text, shape_text
from studio.analysis_tree import AnalysisTree
from studio.document import Document

COLUMNS = ("Name", "Block", "Output shape", "Parameters", "MACs", "Receptive field", "Activations")
SORT_ROLE = Qt.UserRole + 1
ID_ROLE = Qt.UserRole + 2
TOTAL = "__total__"
REFRESH_DELAY_MS = 150
"""The table follows edits after this pause (the canvas updates at once): typing or dragging a
spin box re-analyses many times a second, and rebuilding 500 rows each time is wasted work."""
_NO_PARENT = QModelIndex()
"""The invisible root of a flat table."""
_RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
_BOLD = QFont()
_BOLD.setBold(True)


class AnalysisModel(QAbstractTableModel):
    """Rows: nodes in topological order, then the totals."""

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.flops = False
        self.rows: list[tuple[str, list[tuple[str, Any]]]] = []

    def reload(self) -> None:
        """Rebuild the rows from the document's analysis."""
        self.beginResetModel()
        analysis, graph = self.doc.analysis, self.doc.project.graph
        mult = 2 if self.flops else 1
        self.rows = []
        for nid in analysis.order:
            node, f = graph.nodes[nid], analysis.nodes.get(nid)
            cells = [(node.name, node.name), (node.spec.title, node.spec.title)]
            if f is None:
                cells += [(PENDING if analysis.pending else "error", -1)] + [("", -1)] * 4
            else:
                rf = "global" if f.rf_global else f"{f.rf}×{f.rf}"
                cells += [
                    (shape_text(f.out_shape), f.activations),
                    (count_text(f.params), f.params),
                    (compact(f.macs * mult), f.macs),
                    (rf, 1e12 if f.rf_global else f.rf),
                    (compact(f.activations), f.activations),
                ]
            self.rows.append((nid, cells))
        memory = bytes_text(analysis.activation_bytes)
        memory = f"{compact(analysis.activations)} ({memory} at batch {analysis.batch_size})"
        self.rows.append(
            (
                TOTAL,
                [
                    ("Total", ""),
                    ("", ""),
                    ("", 0),
                    (PENDING if analysis.pending else count_text(analysis.params), 0),
                    (PENDING if analysis.pending else compact(analysis.macs * mult), 0),
                    ("", 0),
                    (PENDING if analysis.pending else memory, 0),
                ],
            )
        )
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = _NO_PARENT) -> int:
        """Nodes plus the totals row."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = _NO_PARENT) -> int:
        """Fixed columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole
    ) -> Any:
        """Column titles (MACs or FLOPs)."""
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return "FLOPs" if section == 4 and self.flops else COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        """Text, sort key, node id, alignment and the bold totals row."""
        nid, cells = self.rows[index.row()]
        text, key = cells[index.column()]
        if role == Qt.DisplayRole:
            return text
        if role == SORT_ROLE:
            return key
        if role == ID_ROLE:
            return nid
        if role == Qt.TextAlignmentRole and index.column() >= 3:
            return _RIGHT
        if role == Qt.FontRole and nid == TOTAL:
            return _BOLD
        return None


class TotalsLastProxy(QSortFilterProxyModel):
    """Sorts by the numeric key but keeps the totals row at the bottom."""

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        """Totals always sort last, whichever the order."""
        l_total, r_total = left.data(ID_ROLE) == TOTAL, right.data(ID_ROLE) == TOTAL
        if l_total or r_total:
            return r_total if self.sortOrder() == Qt.AscendingOrder else l_total
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if type(a) is not type(b) and not all(isinstance(v, (int, float)) for v in (a, b)):
            return str(a) < str(b)
        return a < b


class AnalysisPanel(QWidget):
    """Controls (input size, batch size, MACs/FLOPs) above the table."""

    node_activated = Signal(list)
    """Node ids chosen in the table."""

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.model = AnalysisModel(doc)
        self.proxy = TotalsLastProxy()
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().setVisible(False)
        # Sized to contents on demand (a new project), not on every edit: ResizeToContents would
        # measure every cell of a 500-row table after each change.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setResizeContentsPrecision(200)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setWordWrap(
            False
        )  # one line per row: a long block title is elided, never wrapped
        self.dims = [self._spin(1, 4096) for _ in range(3)]
        self.batch = self._spin(1, 1 << 16)
        self.flops = QCheckBox("FLOPs (2 × MACs)")
        self.tree = AnalysisTree(doc)
        self.by_group = QCheckBox("Tree by group")
        self.by_group.setToolTip("One row per group (Ctrl+G on the canvas) with its blocks below")
        self.views = QStackedWidget()
        self.views.addWidget(self.table)
        self.views.addWidget(self.tree)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Input C×H×W"))
        for spin in self.dims:
            bar.addWidget(spin)
        bar.addWidget(QLabel("  Batch"))
        bar.addWidget(self.batch)
        bar.addWidget(self.flops)
        bar.addWidget(self.by_group)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.views)
        self._syncing = False
        for spin in self.dims:
            spin.valueChanged.connect(self._input_edited)
        self.batch.valueChanged.connect(doc.set_batch_size)
        self.flops.toggled.connect(self._toggle_flops)
        self.by_group.toggled.connect(self._toggle_tree)
        self.tree.nodes_chosen.connect(self.node_activated)
        self.table.selectionModel().selectionChanged.connect(self._rows_selected)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(REFRESH_DELAY_MS)
        self._debounce.timeout.connect(self.refresh)
        doc.analysis_changed.connect(self._debounce.start)
        doc.project_replaced.connect(self._fit_columns)
        self.refresh()
        self._fit_columns()

    def _fit_columns(self) -> None:
        if self.tree_mode():
            self.tree.reload()
            for column in range(self.tree.columnCount()):
                self.tree.resizeColumnToContents(column)
            return
        self.model.reload()
        self.table.resizeColumnsToContents()

    @staticmethod
    def _spin(lo: int, hi: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setKeyboardTracking(False)
        return spin

    def refresh(self) -> None:
        """Reload rows and the input-size editors from the document."""
        self._syncing = True
        selected = self.selected_ids()
        for spin, value in zip(self.dims, self.doc.project.input_shape):
            spin.setValue(value)
        self.batch.setValue(self.doc.batch_size)
        if self.tree_mode():
            self.tree.reload()
        else:
            self.model.reload()
            self._widen_text_columns()
        self.select_ids(selected)
        self._syncing = False

    def _widen_text_columns(self) -> None:
        """Name and Block columns grow to their longest text (never shrink while the user works)."""
        header = self.table.horizontalHeader()
        for column in (0, 1):
            wanted = self.table.sizeHintForColumn(column)
            if wanted > header.sectionSize(column):
                header.resizeSection(column, wanted)

    def _input_edited(self) -> None:
        if self._syncing:
            return
        shape = tuple(s.value() for s in self.dims)
        if self.doc.set_input_shape(shape) is not None:
            self.refresh()

    def _toggle_flops(self, on: bool) -> None:
        self.model.flops = on
        self.tree.flops = on
        self.refresh()

    def _toggle_tree(self, on: bool) -> None:
        selected = self.selected_ids()
        self.views.setCurrentWidget(self.tree if on else self.table)
        self.refresh()
        self.select_ids(selected)
        if on:
            for column in range(self.tree.columnCount()):
                self.tree.resizeColumnToContents(column)

    def tree_mode(self) -> bool:
        """Whether the rows are shown as a tree by group."""
        return self.views.currentWidget() is self.tree

    def selected_ids(self) -> list[str]:
        """Node ids of the selected rows."""
        if self.tree_mode():
            return self.tree.selected_ids()
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return [r.data(ID_ROLE) for r in rows if r.data(ID_ROLE) != TOTAL]

    def select_ids(self, ids: list[str]) -> None:
        """Select the rows of these nodes (without echoing the selection back)."""
        if self.tree_mode():
            self.tree.select_ids(ids)
            return
        wanted = set(ids)
        was, self._syncing = self._syncing, True
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ID_ROLE) in wanted:
                selection.select(
                    index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows
                )
        self._syncing = was

    def _rows_selected(self, *args: object) -> None:
        if not self._syncing:
            self.node_activated.emit(self.selected_ids())
