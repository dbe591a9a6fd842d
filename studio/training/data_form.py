"""The data-section form: which source, where it is, how it is split, preprocessed and loaded.

Every row is a key of runtime.data.settings.DATA_KEYS (ParamSpecs) edited by studio.forms, as the
training settings are. Rows that do not apply to the chosen source are hidden; `section()` turns the
editors into a data section and `show_section()` the reverse, without emitting edits."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from runtime.data.preprocess import Preprocess
from runtime.data.settings import DATA_FIELD, IN_MEMORY, LAZY
from studio.forms import FieldEditor, SpinLook

PATH_HINTS = {
    "folder": "folder of class folders (or with train/ and val/)",
    "csv": "CSV or TSV label file",
    "hf": "saved data set folder, parquet/arrow file, or image folder",
    "webdataset": "shards, e.g. /data/train-{000..099}.tar",
    "idx": "IDX images file",
    "cifar10": "CIFAR-10 batches folder or .bin file",
}

ROWS: tuple[tuple[str, str, SpinLook], ...] = (
    ("source", "data set", SpinLook()),
    ("path", "path", SpinLook()),
    ("labels", "labels", SpinLook()),
    ("dataset", "Hugging Face name", SpinLook()),
    ("val_shards", "validation shards", SpinLook()),
    ("image_column", "image column", SpinLook()),
    ("label_column", "label column", SpinLook()),
    ("validation", "validation", SpinLook(0.05, 2)),
    ("augment.crop_padding", "crop padding", SpinLook()),
    ("augment.flip", "horizontal flip", SpinLook()),
    ("augment.pca_jitter", "PCA colour jitter σ", SpinLook(0.05, 2)),
    ("preprocess.resize", "resize shorter side", SpinLook(special="auto (input ÷ 0.875)")),
    ("preprocess.train_crop", "training crop", SpinLook()),
    ("preprocess.scale_min", "smallest crop area", SpinLook(0.02, 2)),
    ("preprocess.flip", "horizontal flip", SpinLook()),
    ("preprocess.rotation", "rotation ± degrees", SpinLook(5, 1)),
    ("preprocess.jitter", "colour jitter ±", SpinLook(0.05, 2)),
    ("preprocess.normalise", "normalise (mean/std)", SpinLook()),
    ("preprocess.fast_decode", "fast JPEG decoding", SpinLook()),
    ("workers", "loader processes", SpinLook(special="auto (one per core, at most 8)")),
    ("cache", "cache decoded images", SpinLook()),
)
"""The form's rows, in order: the data key each edits, its label, and how a number is shown. The
`path` row edits `images` for IDX files and `shards` for WebDataset."""

KEPT_KEYS = ("split_seed", "shapes_count", "samples", "images", "shards")
"""Data keys without a row of their own: the first three are kept as the project has them (the
panel carries them over), the last two are edited in the `path` row."""

PLACEHOLDERS = {
    "labels": "IDX labels file",
    "dataset": "hub name, e.g. ylecun/mnist (empty: use the path)",
    "val_shards": "optional; else a share of the training shards",
    "image_column": "guessed",
    "label_column": "guessed",
}

_DECIMALS = {key: look.decimals for key, _, look in ROWS if look.decimals is not None}


class DataForm(QWidget):
    """Editors for every data setting; `on_edit(key)` is called after each user edit."""

    def __init__(self, on_edit: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_edit = on_edit
        self.fields: dict[str, FieldEditor] = {}
        """The editor of every row, by data key."""
        self.form = QFormLayout(self)
        self.rows: dict[str, Any] = {}
        """The widget or layout of every row, by data key (and 'cache_note')."""
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        for key, label, look in ROWS:
            field = FieldEditor(DATA_FIELD[key], lambda _, k=key: self._edited(k), True, look)
            self.fields[key] = field
            widget = field.widget
            if isinstance(widget, QLineEdit):
                widget.setPlaceholderText(PLACEHOLDERS.get(key, ""))
            row: Any = widget
            if key == "path":
                row = QHBoxLayout()
                row.addWidget(widget, 1)
                row.addWidget(self.browse)
            self.form.addRow(label, row)
            self.rows[key] = row
        self.cache_note = QLabel("")
        self.cache_note.setWordWrap(True)
        self.form.addRow("", self.cache_note)
        self.rows["cache_note"] = self.cache_note
        # the widgets by the names the panel and its tests use
        self.source, self.path = self.widget("source"), self.widget("path")
        self.crop, self.rotation = (
            self.widget("augment.crop_padding"),
            self.widget("preprocess.rotation"),
        )
        self.validation, self.cache = self.widget("validation"), self.widget("cache")

    def widget(self, key: str) -> Any:
        """The editing widget of a data key's row."""
        return self.fields[key].widget

    def value(self, key: str) -> Any:
        """The value a row holds (numbers rounded to what the row shows)."""
        value = self.fields[key].value()
        if isinstance(value, float) and key in _DECIMALS:
            return round(value, _DECIMALS[key])
        return value

    def _edited(self, key: str) -> None:
        if key == "source" and self.value("validation") >= 1:
            # a count held out rarely suits another data set
            self.fields["validation"].show(0.2)
        self.update_rows()
        self.on_edit(key)

    def _browse(self) -> None:
        """Pick the folder or file the source reads."""
        source, path = self.value("source"), self.path.text()
        if source in ("folder", "cifar10") or (
            source == "hf" and not path.endswith((".parquet", ".arrow"))
        ):
            chosen = QFileDialog.getExistingDirectory(self, "Choose the data folder", path)
        else:
            chosen = QFileDialog.getOpenFileName(self, "Choose the data file", path)[0]
        if chosen:
            self.path.setText(chosen)
            self._edited("path")

    def update_rows(self) -> None:
        """Show only the rows that apply to the chosen source."""
        source = self.value("source")
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
        }
        for key, row in self.rows.items():
            self.form.setRowVisible(
                row, shown.get(key, not lazy if key.startswith("aug") else lazy)
            )
        self.path.setPlaceholderText(PATH_HINTS.get(source, ""))

    def widgets(self) -> list[QWidget]:
        """Every editing widget, in row order."""
        return [field.widget for field in self.fields.values()]

    def show_section(self, data: dict[str, Any]) -> None:
        """Show a data section (defaults filled in) without emitting edits."""
        aug = data.get("augment") if isinstance(data.get("augment"), dict) else {}
        pre = data.get("preprocess") if isinstance(data.get("preprocess"), dict) else {}
        pre = {**Preprocess().to_dict(), **pre}
        self.fields["source"].show(str(data.get("source", "mnist")))
        path = data.get("path", data.get("images", data.get("shards", "")))
        for key, value in (("path", path), *((k, data.get(k, "")) for k in PLACEHOLDERS)):
            self.fields[key].show(str(value))
        for key, _, _ in ROWS:
            group, _, name = key.partition(".")
            if key in PLACEHOLDERS or key in ("source", "path"):
                continue
            raw = aug.get(name) if group == "augment" else pre.get(name) if name else data.get(key)
            self.fields[key].show(_shown_value(key, raw))
        self.update_rows()

    def section(self) -> dict[str, Any]:
        """The data section the editors describe (keys of other sources are left out)."""
        source = self.value("source")
        data: dict[str, Any] = {"source": source, "validation": self.value("validation")}
        if source in IN_MEMORY:
            data["augment"] = {
                name: self.value(f"augment.{name}")
                for name in ("crop_padding", "flip", "pca_jitter")
            }
        path, dataset = self.value("path"), self.value("dataset")
        if source in ("folder", "cifar10", "csv") or (source == "hf" and not dataset):
            data["path"] = path
        if source == "idx":
            data["images"], data["labels"] = path, self.value("labels")
        if source == "hf" and dataset:
            data["dataset"] = dataset
        if source == "webdataset":
            data["shards"] = path
            if self.value("val_shards").strip():
                data["val_shards"] = self.value("val_shards").strip()
        if source in ("csv", "hf"):
            for key in ("image_column", "label_column"):
                if self.value(key):
                    data[key] = self.value(key)
        if source in LAZY:
            data["preprocess"] = {
                name: self.value(f"preprocess.{name}") for name in Preprocess().to_dict()
            }
            data["workers"] = self.value("workers")
            data["cache"] = self.value("cache")
        return data

    def show_cache_estimate(self, fits: bool, estimate: str) -> None:
        """Offer the memory cache only when it fits; show the estimate either way."""
        self.cache.setEnabled(fits or self.cache.isChecked())
        self.cache_note.setText(("fits: " if fits else "does not fit: ") + estimate)


def _shown_value(key: str, raw: Any) -> Any:
    """What a row shows for a value from a possibly hand-edited file: the key's default when the
    value is not of the row's type."""
    spec = DATA_FIELD[key]
    default = 0.2 if key == "validation" else spec.default
    if spec.kind == "bool":
        return raw if isinstance(raw, bool) else default
    if spec.kind == "choice":
        return raw if raw in spec.choices else default
    number = isinstance(raw, (int, float)) and not isinstance(raw, bool)
    return raw if number else default
