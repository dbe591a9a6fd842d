"""The validation confusion matrix at each epoch end, as one image with class names on the axes."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from runtime.training.events import EpochMetrics, Started


class ConfusionPanel(QWidget):
    """Rows are true classes, columns predicted classes; colour is the row-normalised rate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel("The confusion matrix appears at the end of each epoch.")
        self.view = pg.GraphicsLayoutWidget()
        self.plot = self.view.addPlot()
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setLabel("left", "true class")
        self.plot.setLabel("bottom", "predicted class")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.texts: list[pg.TextItem] = []
        self.classes: tuple[str, ...] = ()
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        self.matrix: np.ndarray | None = None

    def handle(self, events: list) -> None:
        """Show the newest epoch's matrix."""
        for e in events:
            if isinstance(e, Started):
                self.classes = e.classes
                ticks = [list(enumerate(c[:10] for c in e.classes))]
                for axis in ("left", "bottom"):
                    self.plot.getAxis(axis).setTicks(ticks if len(e.classes) <= 20 else None)
        epochs = [e for e in events if isinstance(e, EpochMetrics)]
        if epochs:
            self.show_matrix(epochs[-1].confusion, epochs[-1].epoch, epochs[-1].val_accuracy)

    def show_matrix(self, matrix: np.ndarray, epoch: int, accuracy: float) -> None:
        """Draw the matrix (counts written in the cells when there are few classes)."""
        self.matrix = matrix
        rates = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        self.image.setImage(rates, levels=(0, 1), autoLevels=False)
        self.image.setRect(-0.5, -0.5, matrix.shape[1], matrix.shape[0])
        for t in self.texts:
            self.plot.removeItem(t)
        self.texts = []
        if matrix.shape[0] <= 12:
            for (r, c), n in np.ndenumerate(matrix):
                if n:
                    text = pg.TextItem(str(n), color="w" if rates[r, c] < 0.6 else "k", anchor=(0.5, 0.5))
                    text.setPos(c, r)
                    self.plot.addItem(text)
                    self.texts.append(text)
        self.caption.setText(f"Validation confusion after epoch {epoch} · accuracy {accuracy:.2%}")
