"""Prediction and attribution: pick an image (file, drop, or validation sample), see the
preprocessed
input, the top classes, and an attribution map with its colour bar; click for a receptive field."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from blocks.lazy import lazy
from runtime.errors import ConvStudioError
from runtime.insight.methods import METHODS, NEEDS_NODE, TITLES
from runtime.insight.image_file import read_image
from runtime.insight.render import colormap_name
from studio.insight.images import ImagePane
from studio.insight.panel import InsightPanel, Tab, hbox

prediction = lazy("runtime.insight.predict")

patches = lazy("runtime.insight.patches")

attribution = lazy("runtime.insight.attribution")


class PredictTab(Tab):
    """One image at a time; every computation runs on the insight worker."""

    KIND = "predict"
    image_changed = Signal()
    """Another image is shown (the adversarial tab attacks the same one)."""

    def __init__(self, panel: InsightPanel) -> None:
        super().__init__(panel)
        self.image: np.ndarray | None = None
        self.image_label: int | None = None
        self.description = ""
        open_button = QPushButton("Open Image…")
        open_button.clicked.connect(self.open_image)
        self.sample = QSpinBox()
        self.sample.setRange(0, 0)
        self.sample.setPrefix("validation image ")
        self.sample.valueChanged.connect(self.use_sample)
        self.method = QComboBox()
        for m in METHODS:
            self.method.addItem(TITLES[m], m)
        self.method.currentIndexChanged.connect(self.explain)
        self.target = QComboBox()
        self.target.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.target.currentIndexChanged.connect(self.explain)
        self.rf = QCheckBox("Receptive field (click the input)")
        self.rf.toggled.connect(lambda on: None if on else self._clear_rf())
        self.input = ImagePane("Input (preprocessed)")
        self.heat = ImagePane("Attribution", colour_bar=True)
        self.input.clicked.connect(self.show_receptive_field)
        self.heat.clicked.connect(self.show_receptive_field)
        self.top = QTableWidget(0, 2)
        self.top.setHorizontalHeaderLabels(["class", "probability"])
        self.top.verticalHeader().hide()
        self.top.horizontalHeader().setStretchLastSection(True)
        self.top.setMaximumWidth(240)
        self.node = QLabel("")
        self.node.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(
            hbox(
                open_button,
                self.sample,
                QLabel("Method:"),
                self.method,
                QLabel("Class:"),
                self.target,
                self.rf,
                None,
            )
        )
        views = QHBoxLayout()
        views.addWidget(self.input, 1)
        views.addWidget(self.heat, 1)
        views.addWidget(self.top)
        layout.addLayout(views, 1)
        layout.addWidget(self.node)
        layout.addWidget(self.message)
        self.setAcceptDrops(True)
        panel.session_changed.connect(self._session_changed)

    # ----- choosing the image ---------------------------------------------------------
    def _session_changed(self) -> None:
        session = self.panel.session
        self.sample.blockSignals(True)
        self.sample.setRange(0, max(0, len(session.val) - 1))
        self.sample.blockSignals(False)
        self.target.blockSignals(True)
        chosen = self.target.currentData()
        self.target.clear()
        self.target.addItem("predicted", None)
        for i, name in enumerate(session.classes):
            self.target.addItem(f"{i}: {name}", i)
        self.target.setCurrentIndex(max(0, self.target.findData(chosen)))
        self.target.blockSignals(False)
        if self.image is None or self.image.shape != tuple(session.project.input_shape):
            self.use_sample(self.sample.value())
        else:
            self.explain()

    def use_sample(self, index: int) -> None:
        """Show validation image `index`."""
        session = self.panel.session
        if session is None or not len(session.val):
            return
        label = int(session.val.labels[index])
        self.set_image(
            session.val.images[index],
            f"validation image {index} (label {session.classes[label]})",
            label,
        )

    def open_image(self) -> None:
        """Pick a picture file."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open image",
            "",
            "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;All files (*)",
        )
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> None:
        """Use the picture at `path` (fitted to the network's input); one line when it cannot be
        read."""
        session = self.panel.session
        if session is None:
            self.message.setText("⚠ No network open yet: train, or open a checkpoint.")
            return
        try:
            image = read_image(path, session.project.input_shape)
        except ConvStudioError as exc:
            self.message.setText(f"⚠ {exc}")
            return
        self.set_image(image, path.rsplit("/", 1)[-1], None)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept dropped files."""
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the first dropped file as the image."""
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.open_path(paths[0])
            event.acceptProposedAction()

    def set_image(self, image: np.ndarray, description: str, label: int | None) -> None:
        """Study `image` (uint8 C×H×W)."""
        self.image, self.description, self.image_label = image, description, label
        self.input.show_image(image)
        self.heat.show_image(image, grey=True)
        self._clear_rf()
        self.image_changed.emit()
        self.explain()

    # ----- computing -------------------------------------------------------------------
    def layer(self) -> str | None:
        """The canvas-selected layer when it has a spatial output, else None (the default is
        used)."""
        session, name = self.panel.session, self.panel.selected_layer()
        return name if session is not None and name in attribution.conv_nodes(session) else None

    def explain(self) -> None:
        """Predict and attribute the current image with the chosen method."""
        if self.image is None:
            return
        image, method, target, layer = (
            self.image,
            self.method.currentData(),
            self.target.currentData(),
            self.layer(),
        )

        def job(session, cancelled):
            pixels = session.pixels(image[None])
            return prediction.predict(session, pixels, 5), attribution.attribute(
                session, pixels, method, target, layer
            )[0]

        if self.panel.run("predict", job):
            self.message.setText(f"Computing {TITLES[method]}…")

    def show_receptive_field(self, row: int, col: int) -> None:
        """Outline what the selected layer's output position under (row, col) sees."""
        if not self.rf.isChecked() or self.image is None:
            return
        session = self.panel.session
        layer = self.layer()
        if session is None or layer is None:
            self.message.setText(
                "Select a layer with a spatial output on the canvas to see its receptive field."
            )
            return
        _, h, w = session.shapes[layer]
        _, ih, iw = session.project.input_shape
        out_row, out_col = min(h - 1, row * h // ih), min(w - 1, col * w // iw)
        image = self.image
        self.panel.run(
            "predict:rf",
            lambda s, cancelled: patches.receptive_field(
                s, layer, out_row, out_col, s.pixels(image[None])
            ),
        )

    def _clear_rf(self) -> None:
        self.input.show_box(None)
        self.heat.show_box(None)

    def show_result(self, kind: str, result: Any) -> None:
        """Draw the prediction and map, or the receptive field."""
        if kind == "predict:rf":
            self.input.show_box(result.box)
            self.heat.show_box(result.box)
            top, left, bottom, right = result.box
            self.message.setText(
                f"Receptive field of '{result.layer}' at output position ({result.row}, "
                f"{result.col}): rows {top}–{bottom - 1}, columns {left}–{right - 1} "
                f"({bottom - top}×{right - left} pixels)"
            )
            return
        prediction, amap = result
        self.top.setRowCount(len(prediction.top))
        for r, (_, name, prob) in enumerate(prediction.top):
            self.top.setItem(r, 0, QTableWidgetItem(f"{name}"))
            item = QTableWidgetItem(f"{prob:6.1%} " + "▮" * max(1, round(prob * 8)))
            self.top.setItem(r, 1, item)
        self.heat.show_heat(amap.values, amap.limits, colormap_name(amap), amap.unit)
        where = f" at '{amap.node}'" if amap.node else ""
        self.heat.title.setText(
            f"{TITLES[amap.method]}{where} for '{self.panel.session.classes[amap.target]}'"
        )
        best = prediction.top[0]
        truth = "" if self.image_label is None else (" ✓" if best[0] == self.image_label else " ✗")
        self.message.setText(f"{self.description}: predicted '{best[1]}' ({best[2]:.1%}){truth}")
        hint = (
            "Grad-CAM looks at the layer selected on the canvas "
            "(default: the deepest spatial layer)."
            if amap.method in NEEDS_NODE
            else ""
        )
        self.node.setText(hint)

    def show_failure(self, line: str) -> None:
        """One line."""
        self.message.setText(f"⚠ {line}")
