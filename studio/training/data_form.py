"""The data-section form: which source, where it is, how it is split, preprocessed and loaded.

Rows that do not apply to the chosen source are hidden; `section()` turns the widgets into a data
section
and `show_section()` the reverse, without emitting edits."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from runtime.data.preprocess import TRAIN_CROPS, Preprocess
from runtime.data.settings import IN_MEMORY, LAZY, SOURCES

PATH_HINTS = {
    "folder": "folder of class folders (or with train/ and val/)",
    "csv": "CSV or TSV label file",
    "hf": "saved data set folder, parquet/arrow file, or image folder",
    "webdataset": "shards, e.g. /data/train-{000..099}.tar",
    "idx": "IDX images file",
    "cifar10": "CIFAR-10 batches folder or .bin file",
}


def _double(low: float, high: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    return box


class ShareOrCount(QDoubleSpinBox):
    """A fraction below 1 (shown with up to four decimals) or a whole count (shown as an integer,
    e.g. 1000, not 1000.00)."""

    def __init__(self) -> None:
        super().__init__()
        self.setDecimals(4)
        self.setRange(0.0001, 1e6)
        self.setSingleStep(0.05)

    def textFromValue(self, value: float) -> str:
        """'1000' for a count, '0.2' for a fraction."""
        if value >= 1:
            return str(int(round(value)))
        return f"{value:.4f}".rstrip("0").rstrip(".")

    def stepBy(self, steps: int) -> None:
        """Fractions step by 0.05, counts by 100."""
        value = self.value()
        self.setValue(value + steps * (100 if value >= 1 else 0.05))


def _int(low: int, high: int, special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    if special:
        box.setSpecialValueText(special)
    return box


class DataForm(QWidget):
    """Widgets for every data setting; `on_edit(field)` is called after each user edit."""

    def __init__(self, on_edit: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_edit = on_edit
        self.source = QComboBox()
        self.source.addItems(list(SOURCES))
        self.path, self.browse = QLineEdit(), QPushButton("Browse…")
        self.labels_path, self.dataset, self.val_shards = QLineEdit(), QLineEdit(), QLineEdit()
        self.labels_path.setPlaceholderText("IDX labels file")
        self.dataset.setPlaceholderText("hub name, e.g. ylecun/mnist (empty: use the path)")
        self.val_shards.setPlaceholderText("optional; else a share of the training shards")
        self.image_column, self.label_column = QLineEdit(), QLineEdit()
        self.image_column.setPlaceholderText("guessed")
        self.label_column.setPlaceholderText("guessed")
        self.validation = ShareOrCount()
        self.validation.setToolTip(
            "Held out for validation: a fraction below 1, or a count "
            "(unused when the data has its own validation split)"
        )
        self.crop, self.flip, self.jitter = _int(0, 64), QCheckBox(), _double(0, 1, 0.05)
        self.resize = _int(0, 8192, "auto (input ÷ 0.875)")
        self.train_crop = QComboBox()
        self.train_crop.addItems(list(TRAIN_CROPS))
        self.scale_min = _double(0.01, 1, 0.02)
        self.pre_flip, self.rotation, self.colour = (
            QCheckBox(),
            _double(0, 180, 5, 1),
            _double(0, 1, 0.05),
        )
        self.normalise = QCheckBox()
        self.workers = _int(-1, 64, "auto (one per core, at most 8)")
        self.cache = QCheckBox()
        self.cache_note = QLabel("")
        self.cache_note.setWordWrap(True)
        self.form = QFormLayout(self)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        self.rows: dict[str, Any] = {}
        for key, label, widget in (
            ("source", "data set", self.source),
            ("path", "path", path_row),
            ("labels", "labels", self.labels_path),
            ("dataset", "Hugging Face name", self.dataset),
            ("val_shards", "validation shards", self.val_shards),
            ("image_column", "image column", self.image_column),
            ("label_column", "label column", self.label_column),
            ("validation", "validation", self.validation),
            ("crop_padding", "crop padding", self.crop),
            ("flip", "horizontal flip", self.flip),
            ("pca_jitter", "PCA colour jitter σ", self.jitter),
            ("resize", "resize shorter side", self.resize),
            ("train_crop", "training crop", self.train_crop),
            ("scale_min", "smallest crop area", self.scale_min),
            ("pre_flip", "horizontal flip", self.pre_flip),
            ("rotation", "rotation ± degrees", self.rotation),
            ("colour", "colour jitter ±", self.colour),
            ("normalise", "normalise (mean/std)", self.normalise),
            ("workers", "loader processes", self.workers),
            ("cache", "cache decoded images", self.cache),
            ("cache_note", "", self.cache_note),
        ):
            self.form.addRow(label, widget)
            self.rows[key] = widget
        self._connect()

    def _connect(self) -> None:
        self.source.currentTextChanged.connect(lambda _: self._edited("source"))
        self.browse.clicked.connect(self._browse)
        for key, line in (
            ("path", self.path),
            ("labels", self.labels_path),
            ("dataset", self.dataset),
            ("val_shards", self.val_shards),
            ("image_column", self.image_column),
            ("label_column", self.label_column),
        ):
            line.editingFinished.connect(lambda k=key: self._edited(k))
        for key, box in (
            ("validation", self.validation),
            ("pca_jitter", self.jitter),
            ("crop_padding", self.crop),
            ("resize", self.resize),
            ("scale_min", self.scale_min),
            ("rotation", self.rotation),
            ("jitter", self.colour),
            ("workers", self.workers),
        ):
            box.valueChanged.connect(lambda _, k=key: self._edited(k))
        for key, check in (
            ("flip", self.flip),
            ("preprocess_flip", self.pre_flip),
            ("normalise", self.normalise),
            ("cache", self.cache),
        ):
            check.toggled.connect(lambda _, k=key: self._edited(k))
        self.train_crop.currentTextChanged.connect(lambda _: self._edited("train_crop"))

    def _edited(self, key: str) -> None:
        if key == "source" and self.validation.value() >= 1:
            self.validation.blockSignals(True)  # a count held out rarely suits another data set
            self.validation.setValue(0.2)
            self.validation.blockSignals(False)
        self.update_rows()
        self.on_edit(key)

    def _browse(self) -> None:
        """Pick the folder or file the source reads."""
        source = self.source.currentText()
        if source in ("folder", "cifar10") or (
            source == "hf" and not self.path.text().endswith((".parquet", ".arrow"))
        ):
            chosen = QFileDialog.getExistingDirectory(
                self, "Choose the data folder", self.path.text()
            )
        else:
            chosen = QFileDialog.getOpenFileName(self, "Choose the data file", self.path.text())[0]
        if chosen:
            self.path.setText(chosen)
            self._edited("path")

    def update_rows(self) -> None:
        """Show only the rows that apply to the chosen source."""
        source = self.source.currentText()
        lazy = source in LAZY
        shown = {
            "source": True,
            "path": source not in ("mnist", "digits", "shapes"),
            "labels": source == "idx",
            "dataset": source == "hf",
            "val_shards": source == "webdataset",
            "image_column": source in ("csv", "hf"),
            "label_column": source in ("csv", "hf"),
            "validation": True,
            "crop_padding": not lazy,
            "flip": not lazy,
            "pca_jitter": not lazy,
        }
        for key, row in self.rows.items():
            self.form.setRowVisible(row, shown.get(key, lazy))
        self.path.setPlaceholderText(PATH_HINTS.get(source, ""))

    def widgets(self) -> list[QWidget]:
        """Every editing widget (to block their signals while loading)."""
        return [
            self.source,
            self.path,
            self.labels_path,
            self.dataset,
            self.val_shards,
            self.image_column,
            self.label_column,
            self.validation,
            self.crop,
            self.flip,
            self.jitter,
            self.resize,
            self.train_crop,
            self.scale_min,
            self.pre_flip,
            self.rotation,
            self.colour,
            self.normalise,
            self.workers,
            self.cache,
        ]

    def show_section(self, data: dict[str, Any]) -> None:
        """Show a data section (defaults filled in) without emitting edits."""
        aug = data.get("augment", {}) if isinstance(data.get("augment"), dict) else {}
        pre = {
            **Preprocess().to_dict(),
            **(data.get("preprocess") if isinstance(data.get("preprocess"), dict) else {}),
        }
        for w in self.widgets():
            w.blockSignals(True)
        try:
            self.source.setCurrentText(str(data.get("source", "mnist")))
            self.path.setText(str(data.get("path", data.get("images", data.get("shards", "")))))
            self.labels_path.setText(str(data.get("labels", "")))
            self.dataset.setText(str(data.get("dataset", "")))
            self.val_shards.setText(str(data.get("val_shards", "")))
            self.image_column.setText(str(data.get("image_column", "")))
            self.label_column.setText(str(data.get("label_column", "")))
            self.validation.setValue(_num(data.get("validation"), 0.2))
            self.crop.setValue(int(_num(aug.get("crop_padding"), 0)))
            self.flip.setChecked(bool(aug.get("flip", False)))
            self.jitter.setValue(_num(aug.get("pca_jitter"), 0.0))
            self.resize.setValue(int(_num(pre.get("resize"), 0)))
            self.train_crop.setCurrentText(str(pre.get("train_crop")))
            self.scale_min.setValue(_num(pre.get("scale_min"), 0.08))
            self.pre_flip.setChecked(bool(pre.get("flip")))
            self.rotation.setValue(_num(pre.get("rotation"), 0.0))
            self.colour.setValue(_num(pre.get("jitter"), 0.0))
            self.normalise.setChecked(bool(pre.get("normalise")))
            self.workers.setValue(int(_num(data.get("workers"), -1)))
            self.cache.setChecked(bool(data.get("cache", False)))
        finally:
            for w in self.widgets():
                w.blockSignals(False)
        self.update_rows()

    def section(self) -> dict[str, Any]:
        """The data section the widgets describe (keys of other sources are left out)."""
        source = self.source.currentText()
        value = self.validation.value()
        data: dict[str, Any] = {
            "source": source,
            "validation": int(value) if value >= 1 else round(value, 4),
        }
        if source in IN_MEMORY:
            data["augment"] = {
                "crop_padding": self.crop.value(),
                "flip": self.flip.isChecked(),
                "pca_jitter": round(self.jitter.value(), 4),
            }
        if source in ("folder", "cifar10", "csv") or (source == "hf" and not self.dataset.text()):
            data["path"] = self.path.text()
        if source == "idx":
            data["images"], data["labels"] = self.path.text(), self.labels_path.text()
        if source == "hf" and self.dataset.text():
            data["dataset"] = self.dataset.text().strip()
        if source == "webdataset":
            data["shards"] = self.path.text()
            if self.val_shards.text().strip():
                data["val_shards"] = self.val_shards.text().strip()
        if source in ("csv", "hf"):
            for key, line in (
                ("image_column", self.image_column),
                ("label_column", self.label_column),
            ):
                if line.text().strip():
                    data[key] = line.text().strip()
        if source in LAZY:
            data["preprocess"] = {
                "resize": self.resize.value(),
                "train_crop": self.train_crop.currentText(),
                "scale_min": round(self.scale_min.value(), 4),
                "flip": self.pre_flip.isChecked(),
                "rotation": round(self.rotation.value(), 2),
                "jitter": round(self.colour.value(), 4),
                "normalise": self.normalise.isChecked(),
            }
            data["workers"] = self.workers.value()
            data["cache"] = self.cache.isChecked()
        return data

    def show_cache_estimate(self, fits: bool, estimate: str) -> None:
        """Offer the memory cache only when it fits; show the estimate either way."""
        self.cache.setEnabled(fits or self.cache.isChecked())
        self.cache_note.setText(("fits: " if fits else "does not fit: ") + estimate)


def _num(value: Any, default: float) -> float:
    """A number from a possibly hand-edited file, else the default."""
    return (
        float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default
    )
