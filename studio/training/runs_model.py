"""The runs of a project as a sortable Qt table model (sorting by raw values, not by the shown
text)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from runtime.format import compact, count_text
from runtime.runs.record import RunRecord

COLUMNS = ("★", "Name", "Date", "Status", "Parameters", "MACs", "Best val. acc.", "Time", "Note")
BEST_COLUMN = 6
BEST_TITLES = {
    frozenset({"accuracy"}): "Best val. acc.",
    frozenset({"mIoU"}): "Best val. mIoU",
    frozenset({"accuracy", "mIoU"}): "Best val. acc./mIoU",
}
"""The best column's title by the figures its runs rank by (segmentation runs: mIoU)."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def _time(seconds: float) -> str:
    minutes, sec = divmod(int(round(seconds)), 60)
    return (
        f"{minutes}:{sec:02d}" if minutes < 60 else f"{minutes // 60}:{minutes % 60:02d}:{sec:02d}"
    )


def _sort_value(r: RunRecord, col: int) -> Any:
    """The raw value a column sorts by."""
    if col == 0:
        return int(r.starred)
    if col == 1:
        return r.name.lower()
    if col == 2:
        return r.id
    if col == 3:
        return r.status
    if col == 4:
        return r.params or 0
    if col == 5:
        return r.macs or 0
    if col == BEST_COLUMN:
        return -1.0 if r.best_score is None else r.best_score
    if col == 7:
        return r.duration_s
    return r.note.lower()


class RunsModel(QAbstractTableModel):
    """One row per run; `records[row]` is the run shown in that row."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[RunRecord] = []
        self._keys: list[list[Any]] = []
        self.metrics: frozenset[str] = frozenset({"accuracy"})
        """The figures the shown runs rank by: accuracy, mIoU (segmentation) or both."""

    def set_records(self, records: list[RunRecord]) -> None:
        """Show these runs."""
        self.beginResetModel()
        self.records = records
        self.metrics = frozenset(r.metric for r in records) or frozenset({"accuracy"})
        self._keys = [[_sort_value(r, col) for col in range(len(COLUMNS))] for r in records]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Number of runs."""
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Number of columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return BEST_TITLES[self.metrics] if section == BEST_COLUMN else COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Shown text, sort value, tooltip and alignment of one cell."""
        col = index.column()
        if role == SORT_ROLE:
            return self._keys[index.row()][col]
        r = self.records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = self._text(r, col)
            if col == BEST_COLUMN and len(self.metrics) > 1 and r.best_score is not None:
                return f"{text} {r.metric}"  # a mixed table names each run's figure
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{r.id}\n{r.message}" if r.message else r.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (4, 5, 6, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(r: RunRecord, col: int) -> str:
        if col == 0:
            return "★" if r.starred else ""
        if col == 1:
            return r.name
        if col == 2:
            return r.created.replace("T", " ").rstrip("Z")[:16]
        if col == 3:
            return r.state
        if col == 4:
            return "—" if r.params is None else count_text(r.params)
        if col == 5:
            return "—" if r.macs is None else compact(r.macs)
        if col == BEST_COLUMN:
            return "—" if r.best_score is None else f"{r.best_score:.2%}"
        if col == 7:
            return _time(r.duration_s)
        return r.note.splitlines()[0] if r.note else ""
