"""Image views for the insight tabs: pan/zoom picture with an optional colour bar, box and click
position;
and small numpy → QPixmap helpers for grids of thumbnails."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from runtime.insight.render import as_rgb, lookup_table


def pixmap(rgb: np.ndarray, side: int) -> QPixmap:
    """uint8 (H, W, 3) as a pixmap scaled (nearest) to fit `side` pixels."""
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


def colour_map(name: str) -> pg.ColorMap:
    """A pyqtgraph colour map with the same colours the PNG export uses."""
    table = lookup_table(name)
    return pg.ColorMap(np.linspace(0, 1, len(table)), table)


class ImagePane(QWidget):
    """A titled picture; optionally a colour bar for a heat layer drawn over it, and a box."""

    clicked = Signal(int, int)
    """Row and column of the image pixel clicked."""

    def __init__(self, title: str, colour_bar: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setMinimumSize(160, 160)
        self.box = self.view.addViewBox(lockAspect=True, invertY=True, enableMouse=True)
        self.base = pg.ImageItem(axisOrder="row-major")
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setOpacity(0.6)
        self.box.addItem(self.base)
        self.box.addItem(self.heat)
        self.rect = pg.RectROI(
            [0, 0],
            [1, 1],
            pen=pg.mkPen("#00e5ff", width=2),
            movable=False,
            resizable=False,
            rotatable=False,
        )
        for handle in self.rect.getHandles():
            self.rect.removeHandle(handle)
        self.rect.hide()
        self.box.addItem(self.rect)
        self.bar = None
        if colour_bar:
            # pyqtgraph's own copy of matplotlib's inferno (within 1/255): matplotlib loads later
            self.bar = pg.ColorBarItem(
                values=(0, 1), colorMap=pg.colormap.get("inferno"), interactive=False, width=14
            )
            self.bar.setImageItem(self.heat)
            self.view.addItem(self.bar)
        self.base.mouseClickEvent = self._click
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)

    def show_image(self, image: np.ndarray, grey: bool = False) -> None:
        """Show uint8 (C, H, W); `grey` draws it in grey (under a heat layer)."""
        rgb = as_rgb(image)
        if grey:
            rgb = rgb.mean(axis=2).astype(np.uint8)
        fresh = self.base.image is None or self.base.image.shape[:2] != rgb.shape[:2]
        self.base.setImage(rgb, levels=(0, 255), autoLevels=False)
        self.heat.clear()
        if fresh:
            self.box.autoRange(padding=0.02)

    def show_heat(
        self, values: np.ndarray, limits: tuple[float, float], colours: str, label: str
    ) -> None:
        """Draw `values` (H, W) over the picture on `limits` with a colour bar saying what they
        mean."""
        self.heat.setImage(values.astype(np.float32), levels=limits, autoLevels=False)
        self.heat.setColorMap(colour_map(colours))
        if self.bar is not None:
            self.bar.setColorMap(colour_map(colours))
            self.bar.setLevels(limits)
            self.bar.axis.setLabel(label)

    def show_box(self, box: tuple[int, int, int, int] | None) -> None:
        """Outline (top, left, bottom, right) in image pixels, or hide the outline."""
        if box is None:
            self.rect.hide()
            return
        top, left, bottom, right = box
        self.rect.setPos((left, top))
        self.rect.setSize((right - left, bottom - top))
        self.rect.show()

    def _click(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.base.image is not None:
            pos = event.pos()
            h, w = self.base.image.shape[:2]
            row, col = int(pos.y()), int(pos.x())
            if 0 <= row < h and 0 <= col < w:
                self.clicked.emit(row, col)
                event.accept()

    def image_rect(self) -> QRectF:
        """The picture's extent in view coordinates."""
        return self.base.boundingRect()
