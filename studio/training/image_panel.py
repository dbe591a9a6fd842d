"""One mosaic image (feature maps, first-layer filters, data preview) shown as a single
ImageItem."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from runtime.training.events import FeatureMaps, Filters, Started


PLACEHOLDER_STYLE = (
    "QLabel#placeholder { background: palette(alternate-base); color: palette(window-text);"
    " border: 1px solid palette(midlight); padding: 12px; }"
)


def placeholder(text: str) -> QLabel:
    """The neutral, centred text a panel shows where its plot or image will be."""
    label = QLabel(text)
    label.setObjectName("placeholder")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setStyleSheet(PLACEHOLDER_STYLE)
    return label


class MosaicView(QWidget):
    """A caption above a pan/zoom view holding exactly one ImageItem; a neutral placeholder until
    there is one."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_text = caption
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.placeholder = placeholder(caption)
        self.view = pg.GraphicsLayoutWidget()
        self.box = self.view.addViewBox(lockAspect=True, invertY=True, enableMouse=True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack, 1)
        self.updates = 0
        self.clear()

    @property
    def empty(self) -> bool:
        """Whether the placeholder is showing (no image)."""
        return self.stack.currentWidget() is self.placeholder

    def clear(self, text: str | None = None) -> None:
        """Drop the image and show the placeholder saying `text` (default: the panel's own
        caption)."""
        self.image.clear()
        self.placeholder.setText(text or self.empty_text)
        self.caption.hide()
        self.stack.setCurrentWidget(self.placeholder)

    def show_array(self, pixels: np.ndarray) -> None:
        """Show uint8 (H, W) or (H, W, 3) pixels; refit the view when the size changes."""
        resized = self.image.image is None or self.image.image.shape != pixels.shape
        self.image.setImage(pixels, levels=(0, 255), autoLevels=False)
        if self.empty:
            self.stack.setCurrentWidget(self.view)
            self.caption.show()
        if resized:
            self.box.autoRange(padding=0.02)
        self.updates += 1


class SnapshotPanel(MosaicView):
    """A MosaicView fed by training events: the newest snapshot of `EVENT` in each batch; cleared
    when a run starts."""

    EVENT: type = object
    IDLE = ""
    """Shown before any run."""
    WAITING = ""
    """Shown from the start of a run until its first snapshot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.IDLE, parent)

    def reset(self) -> None:
        """A new run: no stale image."""
        self.clear(self.WAITING)

    def idle(self) -> None:
        """No run belongs to what is shown any more (another project): back to the idle text."""
        self.clear(self.IDLE)

    def handle(self, events: list) -> None:
        """Show the newest snapshot of the batch, with its caption."""
        if any(isinstance(e, Started) for e in events):
            self.reset()
        found = [e for e in events if isinstance(e, self.EVENT)]
        if found:
            self.caption.setText(self.describe(found[-1]))
            self.show_array(found[-1].mosaic)

    def describe(self, snapshot) -> str:
        """The caption for one snapshot."""
        raise NotImplementedError


class FeatureMapPanel(SnapshotPanel):
    """Feature maps of the layer selected on the canvas for the fixed probe image."""

    EVENT = FeatureMaps
    IDLE = "Feature maps: select a layer on the canvas (default: the first convolution)."
    WAITING = "Feature maps: waiting for the first snapshot…"

    def describe(self, snapshot: FeatureMaps) -> str:
        """Layer, its output shape and the iteration."""
        shape = "×".join(map(str, snapshot.shape))
        return (
            f"Feature maps of '{snapshot.layer}' ({shape}) for the probe image · "
            f"iteration {snapshot.step:,}"
        )

    def show_final(self, snapshot: FeatureMaps) -> None:
        """Maps computed after the run from its final weights."""
        shape = "×".join(map(str, snapshot.shape))
        self.caption.setText(
            f"Feature maps of '{snapshot.layer}' ({shape}) for the probe image · final weights "
            f"(iteration {snapshot.step:,})"
        )
        self.show_array(snapshot.mosaic)


class FilterPanel(SnapshotPanel):
    """The first convolution's kernels as a grid of small images (colour for RGB input)."""

    EVENT = Filters
    IDLE = "First-layer filters appear here while training."
    WAITING = (
        "First-layer filters: waiting for the first snapshot (there is none without a convolution)…"
    )

    def describe(self, snapshot: Filters) -> str:
        """Layer, grey or colour, and the iteration."""
        colour = "colour" if snapshot.mosaic.ndim == 3 else "grey"
        return (
            f"Filters of '{snapshot.layer}' ({colour}, each scaled to its own range) · "
            f"iteration {snapshot.step:,}"
        )
