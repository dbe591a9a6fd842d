"""The data panel: which data set, split and augmentation, a preview grid with labels, and the training settings.

Edits go through the document's undo stack (Document.set_section); undo and redo reload the widgets.
"""
from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from runtime.data import DataError, check_fits, default_data, load_images, parse_data, preview_grid
from runtime.data.settings import SOURCES
from runtime.errors import ConvStudioError
from runtime.project import Project
from studio.document import Document
from studio.training.image_panel import MosaicView
from studio.training.settings_form import SettingsForm


class DataPanel(QWidget):
    """Edits the document's project.data / project.training (undoable); previews the samples."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        self._editing = False
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.preview = MosaicView("Preview")
        self.labels: list[pg.TextItem] = []
        self.source, self.path = QComboBox(), QLineEdit()
        self.source.addItems(list(SOURCES))
        self.path.setPlaceholderText("folder / CIFAR-10 batches / IDX images file")
        self.labels_path = QLineEdit()
        self.labels_path.setPlaceholderText("IDX labels file")
        self.validation, self.crop = QDoubleSpinBox(), QSpinBox()
        self.validation.setRange(0.01, 1e6)
        self.validation.setDecimals(2)
        self.validation.setToolTip("Held out for validation: a fraction below 1, or a count")
        self.crop.setRange(0, 64)
        self.flip, self.jitter = QCheckBox(), QDoubleSpinBox()
        self.jitter.setRange(0, 1)
        self.jitter.setSingleStep(0.05)
        data_form = QFormLayout()
        for label, widget in (("data set", self.source), ("path", self.path), ("labels", self.labels_path),
                              ("validation", self.validation), ("crop padding", self.crop),
                              ("horizontal flip", self.flip), ("PCA colour jitter σ", self.jitter)):
            data_form.addRow(label, widget)
        self.training = SettingsForm(self._training_changed, self._error)
        self._connect()
        column = QVBoxLayout()
        column.addLayout(data_form)
        column.addWidget(QLabel("<b>Training</b>"))
        column.addWidget(self.training)
        holder = QWidget()
        holder.setLayout(column)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        row = QHBoxLayout()
        row.addWidget(scroll, 2)
        row.addWidget(self.preview, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.message)

    def _connect(self) -> None:
        """Every data widget writes the data section (one undoable edit per field) and refreshes the preview."""
        self.source.currentTextChanged.connect(lambda _: self._data_changed("source"))
        self.path.editingFinished.connect(lambda: self._data_changed("path"))
        self.labels_path.editingFinished.connect(lambda: self._data_changed("labels"))
        self.validation.valueChanged.connect(lambda _: self._data_changed("validation"))
        self.jitter.valueChanged.connect(lambda _: self._data_changed("pca_jitter"))
        self.crop.valueChanged.connect(lambda _: self._data_changed("crop_padding"))
        self.flip.toggled.connect(lambda _: self._data_changed("flip"))
        self.doc.section_changed.connect(self._section_changed)

    def get_project(self) -> Project:
        """The document's live project."""
        return self.doc.project

    def load(self) -> None:
        """Show the current project's settings and preview."""
        self._load_data()
        self.training.load(self.get_project().training)
        self.refresh_preview()

    def _section_changed(self, section: str) -> None:
        """After undo or redo, show the restored section (the panel's own edits are already shown)."""
        if self._editing:
            return
        if section == "training":
            self.training.load(self.get_project().training)
        else:
            self._load_data()
            self.refresh_preview()

    def _load_data(self) -> None:
        """Show the data section in its widgets without emitting edits."""
        project = self.get_project()
        data = {**default_data(project.input_shape), **project.data}
        aug = data.get("augment", {})
        widgets = (self.source, self.path, self.labels_path, self.validation, self.crop, self.flip, self.jitter)
        for w in widgets:
            w.blockSignals(True)
        self.source.setCurrentText(str(data.get("source", "mnist")))
        self.path.setText(str(data.get("path", data.get("images", ""))))
        self.labels_path.setText(str(data.get("labels", "")))
        self.validation.setValue(float(data.get("validation", 0.2)))
        self.crop.setValue(int(aug.get("crop_padding", 0)))
        self.flip.setChecked(bool(aug.get("flip", False)))
        self.jitter.setValue(float(aug.get("pca_jitter", 0.0)))
        for w in widgets:
            w.blockSignals(False)

    def _data_section(self) -> dict[str, Any]:
        """The data section the widgets describe."""
        source = self.source.currentText()
        value = self.validation.value()
        data: dict[str, Any] = {"source": source, "validation": int(value) if value >= 1 else value,
                                "augment": {"crop_padding": self.crop.value(), "flip": self.flip.isChecked(),
                                            "pca_jitter": round(self.jitter.value(), 4)}}
        if source in ("folder", "cifar10"):
            data["path"] = self.path.text()
        elif source == "idx":
            data["images"], data["labels"] = self.path.text(), self.labels_path.text()
        return data

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
        if self._edit("data", {**self.get_project().data, **self._data_section()}, field):
            self.refresh_preview()

    def _training_changed(self, key: str, value: Any) -> None:
        if self._edit("training", {**self.get_project().training, key: value}, key):
            self.message.setText(f"training setting '{key}' = {value!r} (saved with the project)")

    def _error(self, text: str) -> None:
        self.message.setText(f"⚠ {text}")

    def refresh_preview(self) -> None:
        """Load the data set and draw 32 samples with their labels, or say what is wrong."""
        project = self.get_project()
        try:
            settings = parse_data(project.data, project.input_shape, project.path.parent if project.path else None)
            images = load_images(settings, project.input_shape[0])
            check_fits(images, project.input_shape)
        except (DataError, ConvStudioError) as exc:
            self._error(str(exc))
            return
        grid = preview_grid(images)
        self.preview.show_array(grid.image)
        self._draw_labels(grid)
        self.preview.caption.setText(f"{images.name}: {len(images):,} samples, {len(images.classes)} classes, "
                                     f"{'×'.join(map(str, images.shape))}")
        self.message.setText("")

    def _draw_labels(self, grid) -> None:
        """One small text label under each tile (drawn in the same view box as the mosaic)."""
        for t in self.labels:
            self.preview.box.removeItem(t)
        self.labels = []
        th, tw = grid.tile_size
        for i, text in enumerate(grid.labels):
            r, c = divmod(i, grid.columns)
            item = pg.TextItem(text[:8], color="#ffd166", anchor=(0, 1))
            item.setPos(c * (tw + grid.gap), r * (th + grid.gap) + th)
            self.preview.box.addItem(item)
            self.labels.append(item)
