"""The segmentation panel: a fixed validation image as image │ ground truth │ prediction (masks
overlaid in class colours) and per-class IoU bars, updated at each epoch end."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from runtime.segmentation.overlay import class_colours, overlay, rgb_image
from runtime.training.events import EpochMetrics, SegmentationSample, Started
from studio.training.image_panel import placeholder

EMPTY = (
    "Segmentation projects show a validation image, its true mask and the network's prediction "
    "here, with the IoU of each class, at the end of each epoch."
)
TILE = 220
"""Side of each of the three pictures, in pixels (scaled without smoothing)."""


def pixmap(rgb: np.ndarray, side: int = TILE) -> QPixmap:
    """A QPixmap of an (H, W, 3) uint8 picture, scaled to `side` without blending pixels."""
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaled(
        side,
        side,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )


class SegmentationPanel(QWidget):
    """Image │ truth │ prediction of one fixed validation image, and per-class IoU bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes: tuple[str, ...] = ()
        self.sample: SegmentationSample | None = None
        self.ious: tuple[float, ...] = ()
        self.caption = QLabel(EMPTY)
        self.caption.setWordWrap(True)
        self.pictures = [QLabel() for _ in range(3)]
        grid = QGridLayout()
        for column, (title, picture) in enumerate(
            zip(("image", "ground truth", "prediction"), self.pictures)
        ):
            heading = QLabel(f"<b>{title}</b>")
            heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            picture.setMinimumSize(120, 120)
            grid.addWidget(heading, 0, column)
            grid.addWidget(picture, 1, column)
        self.bars_view = pg.PlotWidget()
        self.bars_view.setTitle("validation IoU per class")
        self.bars_view.setYRange(0, 1, padding=0.02)
        self.bars_view.setMouseEnabled(False, False)
        self.bars_view.hideButtons()
        self.bars_view.showGrid(y=True, alpha=0.3)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.bars_view.addItem(self.bars)
        self.values: list[pg.TextItem] = []
        shown = QWidget()
        column = QVBoxLayout(shown)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(grid)
        column.addWidget(self.bars_view, 1)
        self.placeholder = placeholder(EMPTY)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(shown)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack, 1)
        self.reset()

    def reset(self) -> None:
        """Forget the last run's pictures: the placeholder until a segmentation run reports."""
        self.sample, self.ious, self.classes = None, (), ()
        for picture in self.pictures:
            picture.clear()
        self._bars(())
        self.caption.setText(EMPTY)
        self.caption.hide()
        self.stack.setCurrentWidget(self.placeholder)

    def idle(self) -> None:
        """Another project is open: nothing of the last run is shown."""
        self.reset()

    def handle(self, events: list) -> None:
        """Take a batch of events; redraw at most once."""
        changed = False
        for event in events:
            if isinstance(event, Started):
                self.reset()
                self.classes = tuple(event.classes)
            elif isinstance(event, EpochMetrics) and event.miou is not None:
                self.ious = tuple(event.class_iou)
                self.caption.setText(
                    f"Validation after epoch {event.epoch} · mIoU {event.miou:.1%} · "
                    f"pixel accuracy {event.val_accuracy:.1%}"
                )
                changed = True
            elif isinstance(event, SegmentationSample):
                self.sample = event
                changed = True
        if changed:
            self.redraw()

    def redraw(self) -> None:
        """Show the newest sample and IoU bars."""
        k = len(self.classes)
        if self.sample is not None and k:
            s = self.sample
            self.pictures[0].setPixmap(pixmap(rgb_image(s.image)))
            self.pictures[1].setPixmap(pixmap(overlay(s.image, s.truth, k)))
            self.pictures[2].setPixmap(pixmap(overlay(s.image, s.prediction, k)))
            margin = " (the output covers the centre only)" if any(s.margin) else ""
            for picture, what in zip(self.pictures, ("", "truth", "prediction")):
                picture.setToolTip(f"{what}{margin}" if what else "the validation image")
        self._bars(self.ious)
        self.caption.show()
        self.stack.setCurrentIndex(1)

    def _bars(self, ious: tuple[float, ...]) -> None:
        """One bar per class in its colour, its IoU written above (— for a class never seen)."""
        for text in self.values:
            self.bars_view.removeItem(text)
        self.values = []
        k = len(self.classes)
        heights = [0.0 if math.isnan(v) else v for v in ious]
        colours = [pg.mkBrush(*map(int, c)) for c in class_colours(k)][: len(heights)]
        self.bars.setOpts(x=list(range(len(heights))), height=heights, brushes=colours)
        axis = self.bars_view.getAxis("bottom")
        axis.setTicks([list(enumerate(c[:12] for c in self.classes))] if k <= 30 else None)
        self.bars_view.setXRange(-0.6, max(k, 1) - 0.4, padding=0)
        for x, value in enumerate(ious):
            label = pg.TextItem("—" if math.isnan(value) else f"{value:.2f}", anchor=(0.5, 1.0))
            label.setPos(x, (0.0 if math.isnan(value) else value) + 0.01)
            self.bars_view.addItem(label)
            self.values.append(label)
