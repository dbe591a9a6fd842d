"""One mosaic image (feature maps, first-layer filters, data preview) shown as a single ImageItem."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from runtime.training.events import FeatureMaps, Filters, Started


class MosaicView(QWidget):
    """A caption above a pan/zoom view holding exactly one ImageItem."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.view = pg.GraphicsLayoutWidget()
        self.box = self.view.addViewBox(lockAspect=True, invertY=True, enableMouse=True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        self.updates = 0

    def show_array(self, pixels: np.ndarray) -> None:
        """Show uint8 (H, W) or (H, W, 3) pixels; refit the view when the size changes."""
        resized = self.image.image is None or self.image.image.shape != pixels.shape
        self.image.setImage(pixels, levels=(0, 255), autoLevels=False)
        if resized:
            self.box.autoRange(padding=0.02)
        self.updates += 1


class FeatureMapPanel(MosaicView):
    """Feature maps of the layer selected on the canvas for the fixed probe image."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Feature maps: select a layer on the canvas (default: the first convolution).", parent)

    def handle(self, events: list) -> None:
        """Show the newest FeatureMaps event of the batch."""
        maps = [e for e in events if isinstance(e, FeatureMaps)]
        if isinstance(next((e for e in events if isinstance(e, Started)), None), Started):
            self.caption.setText("Feature maps: waiting for the first snapshot…")
        if maps:
            m = maps[-1]
            shape = "×".join(map(str, m.shape))
            self.caption.setText(f"Feature maps of '{m.layer}' ({shape}) for the probe image · iteration {m.step:,}")
            self.show_array(m.mosaic)


class FilterPanel(MosaicView):
    """The first convolution's kernels as a grid of small images (colour for RGB input)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("First-layer filters appear here while training.", parent)

    def handle(self, events: list) -> None:
        """Show the newest Filters event of the batch."""
        found = [e for e in events if isinstance(e, Filters)]
        if found:
            f = found[-1]
            colour = "colour" if f.mosaic.ndim == 3 else "grey"
            self.caption.setText(f"Filters of '{f.layer}' ({colour}, each scaled to its own range) · "
                                 f"iteration {f.step:,}")
            self.show_array(f.mosaic)
