"""The Runs panel: every recorded run of the project in a sortable, searchable table; rename, star,
note,
delete; the curves of the selected runs overlaid; open, resume, compare or continue from a run."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from runtime.errors import ConvStudioError
from runtime.runs.record import RunRecord, read_history
from runtime.runs.store import RunStore
from studio.training.runs_model import BEST_COLUMN, SORT_ROLE, RunsModel

METRICS = (
    ("val_accuracy", "validation accuracy"),
    ("miou", "validation mIoU"),
    ("val_loss", "validation loss"),
    ("train_loss", "training loss"),
    ("train_accuracy", "training accuracy"),
)
COLUMN_WIDTHS = (28, 170, 130, 90, 95, 70, 105, 60)
"""Starting widths of every column but the note (which takes the rest)."""
COLOURS = (
    "#4c9be8",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)


class RunsPanel(QWidget):
    """Lists the runs of `folder`; the buttons act on the selected runs."""

    open_requested = Signal(object)
    """A RunRecord to open as a new untitled project."""
    resume_requested = Signal(object)
    """A RunRecord to train further."""
    compare_requested = Signal(object)
    """A RunRecord to diff against the current graph."""
    continue_requested = Signal(object)
    """A RunRecord whose unchanged weights go into the current project."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store: RunStore | None = None
        self.model = RunsModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.horizontalHeader().resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(self._selection)
        self.table.doubleClicked.connect(lambda *_: self._one(self.open_requested))
        self.search = QLineEdit(
            placeholderText="Search runs (name, note, status)…", clearButtonEnabled=True
        )
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.where = QLabel()
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        for key, text, slot in (
            ("rename", "Rename…", self.rename),
            ("star", "Star", self.toggle_star),
            ("note", "Note…", self.edit_note),
            ("delete", "Delete…", self.delete),
            ("open", "Open as Project", lambda: self._one(self.open_requested)),
            ("resume", "Resume…", lambda: self._one(self.resume_requested)),
            ("compare", "Compare with Graph", lambda: self._one(self.compare_requested)),
            ("continue", "Continue from Run", lambda: self._one(self.continue_requested)),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        self.metric_choice = QComboBox()
        for key, title in METRICS:
            self.metric_choice.addItem(title, key)
        self.metric_choice.currentIndexChanged.connect(lambda *_: self._plot())
        self.metric_choice.activated.connect(self._metric_chosen)
        self._metric_picked = False
        """Whether the person chose a curve (until then, a folder of segmentation runs shows
        mIoU, the figure they rank by)."""
        self.plot = pg.PlotWidget()
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.setLabel("bottom", "epoch")
        self.legend = self.plot.addLegend(offset=(-5, 5))
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel("Selected runs:"))
        top.addWidget(self.metric_choice)
        top.addStretch(1)
        lower_layout.addLayout(top)
        lower_layout.addWidget(self.plot)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([700, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        layout.addWidget(self.where)
        self._selection()

    # ----- contents ----------------------------------------------------------------------
    def set_folder(self, folder: Path) -> None:
        """Show the runs recorded in `folder`."""
        self.store = RunStore(folder)
        self.refresh()

    def refresh(self) -> None:
        """Read the runs again, keeping the selection where the runs still exist."""
        keep = {r.id for r in self.selected()}
        records = self.store.list() if self.store is not None else []
        self.model.set_records(records)
        header = self.table.horizontalHeader()  # "Best val. mIoU" and mixed cells need more room
        wanted = max(header.sectionSizeHint(BEST_COLUMN), self.table.sizeHintForColumn(BEST_COLUMN))
        if header.sectionSize(BEST_COLUMN) < wanted:
            header.resizeSection(BEST_COLUMN, wanted)
        if not self._metric_picked and records:
            key = "miou" if self.model.metrics == {"mIoU"} else "val_accuracy"
            self.metric_choice.setCurrentIndex(self.metric_choice.findData(key))
        count = len(records)
        self.where.setText(
            f"{count} run{'s' if count != 1 else ''} in {self.store.root}" if self.store else ""
        )
        if keep:
            selection = self.table.selectionModel()
            for row, record in enumerate(records):
                if record.id in keep:
                    index = self.proxy.mapFromSource(self.model.index(row, 0))
                    selection.select(
                        index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows
                    )
        self._selection()

    def _metric_chosen(self, *_: object) -> None:
        self._metric_picked = True

    def selected(self) -> list[RunRecord]:
        """The selected runs, in table order."""
        rows = sorted(
            {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        )
        return [self.model.records[r] for r in rows if r < len(self.model.records)]

    def select_run(self, run_id: str) -> None:
        """Select the run with this id (and only it)."""
        self.table.clearSelection()
        for row, record in enumerate(self.model.records):
            if record.id == run_id:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())

    def _selection(self, *_: object) -> None:
        chosen = self.selected()
        for key, button in self.buttons.items():
            button.setEnabled(len(chosen) >= 1 if key == "delete" else len(chosen) == 1)
        if len(chosen) == 1:
            self.buttons["star"].setText("Unstar" if chosen[0].starred else "Star")
        self._plot()

    def _plot(self) -> None:
        """Overlay the chosen metric of the selected runs, per epoch."""
        self.plot.clear()
        self.legend.clear()
        key = self.metric_choice.currentData()
        for i, record in enumerate(self.selected()[: len(COLOURS)]):
            assert record.folder is not None
            try:
                history = read_history(record.folder)
            except ConvStudioError:
                continue
            points = [
                (h["epoch"], h[key]) for h in history if h.get("kind") == "epoch" and key in h
            ]
            if points:
                xs, ys = zip(*points)
                self.plot.plot(
                    list(xs),
                    list(ys),
                    pen=pg.mkPen(COLOURS[i], width=2),
                    symbol="o",
                    symbolSize=5,
                    symbolBrush=COLOURS[i],
                    name=record.name,
                )

    # ----- labels ------------------------------------------------------------------------
    def _one(self, signal: Signal) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            signal.emit(chosen[0])

    def rename(self, name: str | None = None) -> None:
        """Rename the selected run (asks for the name when none is given)."""
        (record,) = self.selected() or (None,)
        if record is None or self.store is None:
            return
        if name is None:
            name, ok = QInputDialog.getText(self, "Rename run", "Name:", text=record.name)
            if not ok:
                return
        self._apply(lambda: self.store.rename(record.id, name))

    def toggle_star(self) -> None:
        """Star the selected run, or unstar it."""
        for record in self.selected()[:1]:
            self._apply(lambda record=record: self.store.star(record.id, not record.starred))

    def edit_note(self, text: str | None = None) -> None:
        """Replace the selected run's note (asks for it when none is given)."""
        (record,) = self.selected() or (None,)
        if record is None or self.store is None:
            return
        if text is None:
            text, ok = QInputDialog.getMultiLineText(
                self, "Note", f"Note on '{record.name}':", record.note
            )
            if not ok:
                return
        self._apply(lambda: self.store.note(record.id, text))

    def delete(self, confirm: bool = True) -> None:
        """Delete the selected runs and their checkpoints after asking."""
        chosen = self.selected()
        if not chosen or self.store is None:
            return
        names = ", ".join(f"'{r.name}'" for r in chosen[:3]) + (" …" if len(chosen) > 3 else "")
        if (
            confirm
            and QMessageBox.question(
                self,
                "Delete runs",
                f"Delete {names} with their checkpoints? This cannot be undone.",
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        for record in chosen:
            self._apply(lambda record=record: self.store.delete(record.id), refresh=False)
        self.refresh()

    def _apply(self, change, refresh: bool = True) -> None:  # noqa: ANN001 - a callable without arguments
        try:
            change()
        except ConvStudioError as exc:
            QMessageBox.warning(self, "Runs", str(exc))
        if refresh:
            self.refresh()
