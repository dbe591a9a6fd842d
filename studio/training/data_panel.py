"""The data panel: the data set and how it is prepared, images per class, a sample as the network
sees it, and the training settings.

Edits go through the document's undo stack (Document.set_section); undo and redo reload the widgets.
Opening a data set (scanning a large folder) runs in a background thread with its progress shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from runtime.data import DataError, default_data, parse_data
from runtime.edits import SetTask
from runtime.project import TASKS, Project
from studio.document import Document
from studio.training.class_chart import ClassChart
from studio.training.data_form import DataForm
from studio.training.image_panel import MosaicView
from studio.engine import engine_loader
from studio.training.sample_job import SampleJob, running_jobs
from studio.training.settings_form import SettingsForm


if TYPE_CHECKING:
    from runtime.data.sample import DataSample


class DataPanel(QWidget):
    """Edits the document's project.data / project.training (undoable); shows the data it names."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        self._editing = False
        self._request = 0
        self._job: SampleJob | None = None
        self._awaiting_engine = False
        self._pending = False
        self.seed = 0
        self.sample: DataSample | None = None
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.task = QComboBox()
        self.task.addItems(list(TASKS))
        self.task.setToolTip(
            "classification: one class per image; segmentation: one class per pixel, from "
            "masks (images/ and masks/, the VOC layout, or the generated shapes demo)"
        )
        self.task.currentTextChanged.connect(self._task_changed)
        self.form = DataForm(self._data_changed)
        self.training = SettingsForm(self._training_changed, self._error)
        self.chart = ClassChart()
        self.preview = MosaicView("Sample after preprocessing")
        self.labels: list[pg.TextItem] = []
        self.redraw = QPushButton("Re-draw sample")
        self.redraw.setToolTip("Draw other images with fresh random crops, flips and colour jitter")
        self.redraw.clicked.connect(self.draw_again)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.doc.section_changed.connect(self._section_changed)
        self._layout()

    def _layout(self) -> None:
        column = QVBoxLayout()
        task_row = QHBoxLayout()
        task_row.addWidget(QLabel("<b>Task</b>"))
        task_row.addWidget(self.task, 1)
        column.addLayout(task_row)
        column.addWidget(QLabel("<b>Data</b>"))
        column.addWidget(self.form)
        column.addWidget(QLabel("<b>Training</b>"))
        column.addWidget(self.training)
        holder = QWidget()
        holder.setLayout(column)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        sample_bar = QHBoxLayout()
        sample_bar.addWidget(self.progress, 1)
        sample_bar.addStretch()
        sample_bar.addWidget(self.redraw)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.preview)
        split.setSizes([160, 320])
        right_layout.addWidget(split, 1)
        right_layout.addLayout(sample_bar)
        row = QSplitter(Qt.Orientation.Horizontal)
        row.addWidget(scroll)
        row.addWidget(right)
        row.setSizes([380, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(row, 1)
        layout.addWidget(self.message)

    def get_project(self) -> Project:
        """The document's live project."""
        return self.doc.project

    def load(self) -> None:
        """Show the current project's settings and its data."""
        self._show_task()
        self._load_data()
        self.training.load(self.get_project().training)
        self.refresh_preview()

    def _section_changed(self, section: str) -> None:
        """After undo or redo, show the restored section (the panel's own edits are already
        shown)."""
        if self._editing:
            return
        if section == "training":
            self.training.load(self.get_project().training)
        elif section == "task":
            self._show_task()
            self.refresh_preview()
        else:
            self._load_data()
            self.refresh_preview()

    def _load_data(self) -> None:
        """Show the data section (defaults for the input size filled in) in the form."""
        project = self.get_project()
        defaults = default_data(project.input_shape)
        if project.data.get("source", defaults["source"]) != defaults["source"]:
            defaults = {"validation": 0.2}
        self.form.show_section({**defaults, **project.data})

    def _show_task(self) -> None:
        """Show the project's task in the combo box (without editing the project)."""
        self.task.blockSignals(True)
        self.task.setCurrentText(self.get_project().task)
        self.task.blockSignals(False)

    def _task_changed(self, task: str) -> None:
        """Set the project's task as an undoable edit; the sample is drawn again."""
        if task == self.get_project().task:
            return
        self._editing = True
        try:
            refused = self.doc.execute(SetTask(task))
        finally:
            self._editing = False
        if refused is None:
            self.message.setText(f"task = {task} (saved with the project)")
            self.refresh_preview()

    def _edit(self, section: str, value: dict[str, Any], field: str) -> bool:
        """Replace a section through the undo stack (without reloading the widgets being edited);
        True when the section changed."""
        before = getattr(self.get_project(), section)
        self._editing = True
        try:
            refused = self.doc.set_section(section, value, field)
        finally:
            self._editing = False
        return refused is None and getattr(self.get_project(), section) != before

    def _data_changed(self, field: str) -> None:
        kept = {
            k: v
            for k, v in self.get_project().data.items()
            if k in ("split_seed", "shapes_count", "samples")
        }
        if self._edit("data", {**kept, **self.form.section()}, field):
            self.refresh_preview()

    def _training_changed(self, key: str, value: Any) -> None:
        if self._edit("training", {**self.get_project().training, key: value}, key):
            self.message.setText(f"training setting '{key}' = {value!r} (saved with the project)")

    def _error(self, text: str) -> None:
        self.message.setText(f"⚠ {text}")

    def draw_again(self) -> None:
        """Another sample with fresh augmentation."""
        self.seed += 1
        self.refresh_preview()

    def refresh_preview(self) -> None:
        """Open the data set in the background; the chart and sample follow when it is read
        (after torch has loaded behind a window that has just opened)."""
        loader = engine_loader()
        if not loader.is_ready():
            if not self._awaiting_engine:
                self._awaiting_engine = True
                loader.when_ready(self._engine_ready)
                self.progress.setFormat("PyTorch is loading …")
                self.progress.show()
            return
        project = self.get_project()
        try:
            settings = parse_data(
                project.data, project.input_shape, project.path.parent if project.path else None
            )
        except DataError as exc:
            self._failed(self._request, str(exc))
            return
        self._request += 1
        job = SampleJob(
            self._request, settings, tuple(project.input_shape), self.seed, project.task
        )
        job.progress.connect(self._progress)
        job.finished_sample.connect(self._show)
        job.failed.connect(self._failed)
        self._job, self._pending = job, True
        self.progress.setFormat("opening the data set …")
        self.progress.show()
        self.redraw.setEnabled(False)
        job.start()

    def _engine_ready(self) -> None:
        self._awaiting_engine = False
        self.refresh_preview()

    def busy(self) -> bool:
        """Whether a data set is being opened."""
        return self._pending

    def _progress(self, request: int, count: int, what: str) -> None:
        if request == self._request:
            self.progress.setFormat(f"{count:,} files … {what[-60:]}")

    def _done(self, request: int) -> bool:
        """Whether this answer is to the latest request (older ones are dropped)."""
        if request != self._request:
            return False
        self._pending = False
        self.progress.hide()
        self.redraw.setEnabled(True)
        return True

    def _failed(self, request: int, text: str) -> None:
        if not self._done(request):
            return
        self.sample = None
        self.chart.clear()
        self._clear_labels()
        self.preview.clear("No sample: " + text)
        self._error(text)

    def _show(self, request: int, sample: DataSample) -> None:
        if not self._done(request):
            return
        self.sample = sample
        self.chart.show_counts(sample.classes, sample.train_counts, sample.val_counts)
        grid = sample.preview
        self.preview.show_array(grid.image)
        self._draw_labels(grid)
        c, h, w = self.get_project().input_shape
        if self.get_project().task == "segmentation":
            self.preview.caption.setText(
                f"{sample.name} ({sample.source}): {len(sample.classes)} classes, "
                f"{sample.layout}; masks overlaid in class colours at {c}×{h}×{w}; the chart "
                "counts the images holding each class"
            )
        else:
            self.preview.caption.setText(
                f"{sample.name} ({sample.source}): {sample.total:,} images, "
                f"{len(sample.classes)} classes, validation: {sample.layout}; "
                f"sample at {c}×{h}×{w} after preprocessing"
            )
        self.form.show_cache_estimate(sample.cache_fits, sample.cache_estimate)
        notes = list(sample.notes) + [f"unreadable: {s}" for s in sample.skipped[:3]]
        self.message.setText("\n".join(f"• {n}" for n in notes))

    def _clear_labels(self) -> None:
        for t in self.labels:
            self.preview.box.removeItem(t)
        self.labels = []

    def _draw_labels(self, grid) -> None:
        """One small text label under each tile (drawn in the same view box as the mosaic)."""
        self._clear_labels()
        th, tw = grid.tile_size
        for i, text in enumerate(grid.labels):
            r, c = divmod(i, grid.columns)
            item = pg.TextItem(text[:8], color="#ffd166", anchor=(0, 1))
            item.setPos(c * (tw + grid.gap), r * (th + grid.gap) + th)
            self.preview.box.addItem(item)
            self.labels.append(item)

    def shutdown(self) -> None:
        """Wait for background draws (window closing)."""
        for job in running_jobs():
            job.wait(5000)
