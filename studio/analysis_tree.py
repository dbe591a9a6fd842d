"""The analysis table's tree mode: one row per group (its summed cost, the shapes leaving it) with
its blocks below, ungrouped blocks at their place in the network, and the totals last."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from runtime.analysis import Analysis
from runtime.format import PENDING, bytes_text, compact, count_text, shape_text
from runtime.groups import group_of, summarise
from studio.document import Document

COLUMNS = ("Name", "Block", "Output shape", "Parameters", "MACs", "Receptive field", "Activations")
SORT_ROLE = Qt.UserRole + 1
IDS_ROLE = Qt.UserRole + 2
"""The node ids a row stands for (a group row: all of its blocks)."""
_BOLD = QFont()
_BOLD.setBold(True)


class _Row(QTreeWidgetItem):
    """A row that sorts by its numeric keys and keeps the totals row last."""

    total = False

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        tree = self.treeWidget()
        column = tree.sortColumn() if tree else 0
        ascending = tree is None or tree.header().sortIndicatorOrder() == Qt.AscendingOrder
        if self.total or getattr(other, "total", False):
            return (not ascending) if self.total else ascending
        a, b = self.data(column, SORT_ROLE), other.data(column, SORT_ROLE)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        return str(a) < str(b)


class AnalysisTree(QTreeWidget):
    """Rows per group with their blocks as children; selecting a row selects its blocks."""

    nodes_chosen = Signal(list)
    """Node ids of the selected rows (a group row gives all of its blocks)."""

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.flops = False
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(list(COLUMNS))
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.AscendingOrder)
        self.header().setSectionResizeMode(QHeaderView.Interactive)
        self.header().setStretchLastSection(False)
        self._syncing = False
        self.group_rows: dict[str, QTreeWidgetItem] = {}
        self.itemSelectionChanged.connect(self._selected)

    def reload(self) -> None:
        """Rebuild the rows from the document's analysis (groups keep their open/closed state)."""
        was_open = {name for name, row in self.group_rows.items() if row.isExpanded()}
        first = not self.group_rows
        analysis, graph = self.doc.analysis, self.doc.project.graph
        mult = 2 if self.flops else 1
        self._syncing = True
        self.setSortingEnabled(False)
        self.clear()
        self.group_rows = {}
        for nid in analysis.order:
            node, fig = graph.nodes[nid], analysis.nodes.get(nid)
            group = group_of(node)
            parent = None
            if group is not None:
                parent = self.group_rows.get(group)
                if parent is None:
                    parent = self._group_row(group, mult)
                    self.group_rows[group] = parent
                    self.addTopLevelItem(parent)
            row = _Row()
            cells = [(node.name, node.name), (node.spec.title, node.spec.title)]
            if fig is None:
                cells += [(PENDING if analysis.pending else "error", -1)] + [("", -1)] * 4
            else:
                rf = "global" if fig.rf_global else f"{fig.rf}×{fig.rf}"
                cells += [
                    (shape_text(fig.out_shape), fig.activations),
                    (count_text(fig.params), fig.params),
                    (compact(fig.macs * mult), fig.macs),
                    (rf, 1e12 if fig.rf_global else fig.rf),
                    (compact(fig.activations), fig.activations),
                ]
            _fill(row, cells)
            row.setData(0, IDS_ROLE, [nid])
            if parent is None:
                self.addTopLevelItem(row)
            else:
                parent.addChild(row)
        total = _Row()
        total.total = True
        _fill(
            total,
            [
                ("Total", ""),
                (f"{len(analysis.nodes)} blocks", ""),
                *_totals(analysis, mult),
            ],
        )
        for column in range(len(COLUMNS)):
            total.setFont(column, _BOLD)
        total.setData(0, IDS_ROLE, [])
        self.addTopLevelItem(total)
        for name, row in self.group_rows.items():
            row.setExpanded(name in was_open and not first)
        self.setSortingEnabled(True)
        self._syncing = False

    def _group_row(self, name: str, mult: int) -> QTreeWidgetItem:
        analysis, graph = self.doc.analysis, self.doc.project.graph
        summary = summarise(graph, analysis, name)
        figures = [analysis.nodes[n] for n in summary.members if n in analysis.nodes]
        activations = sum(f.activations for f in figures)
        outs = ", ".join(shape_text(s) for s in summary.out_shapes)
        row = _Row()
        _fill(
            row,
            [
                (name, name),
                (f"Group · {len(summary.members)} blocks", "Group"),
                (outs, activations),
                (count_text(summary.params), summary.params),
                (compact(summary.macs * mult), summary.macs),
                ("", 0),
                (compact(activations), activations),
            ],
        )
        for column in range(len(COLUMNS)):
            row.setFont(column, _BOLD)
        row.setData(0, IDS_ROLE, list(summary.members))
        return row

    def selected_ids(self) -> list[str]:
        """Node ids of the selected rows, each once."""
        found: list[str] = []
        for row in self.selectedItems():
            found += row.data(0, IDS_ROLE) or []
        return list(dict.fromkeys(found))

    def select_ids(self, ids: list[str]) -> None:
        """Select the rows of these nodes (a whole group's row when all its blocks are chosen)."""
        wanted = set(ids)
        was, self._syncing = self._syncing, True
        self.clearSelection()
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            members = set(top.data(0, IDS_ROLE) or [])
            if top.childCount() and members and members <= wanted:
                top.setSelected(True)
                continue
            for row in [top] + [top.child(j) for j in range(top.childCount())]:
                if row.childCount() == 0 and set(row.data(0, IDS_ROLE) or []) & wanted:
                    row.setSelected(True)
        self._syncing = was

    def _selected(self) -> None:
        if not self._syncing:
            self.nodes_chosen.emit(self.selected_ids())


def _fill(row: QTreeWidgetItem, cells: list[tuple[str, object]]) -> None:
    for column, (text, key) in enumerate(cells):
        row.setText(column, text)
        row.setData(column, SORT_ROLE, key)
        if column >= 3:
            row.setTextAlignment(column, Qt.AlignRight | Qt.AlignVCenter)


def _totals(analysis: Analysis, mult: int) -> list[tuple[str, float]]:
    """The Total row's figure cells (activation memory, parameters, multiply-adds, receptive field,
    activations); all pending while torch loads."""
    if analysis.pending:
        return [(PENDING, 0)] * 3 + [("", 0), (PENDING, 0)]
    return [
        (f"{bytes_text(analysis.activation_bytes)} activations", 0),
        (count_text(analysis.params), 0),
        (compact(analysis.macs * mult), 0),
        ("", 0),
        (compact(analysis.activations), 0),
    ]
