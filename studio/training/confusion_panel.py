"""The validation confusion matrix at each epoch end, as one image with class names on the axes."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from runtime.training.events import EpochMetrics, Started
from studio.training.image_panel import placeholder

EMPTY = "The confusion matrix appears at the end of each epoch."
GRID_CLASSES = 40
"""Cell borders are drawn on the empty matrix up to this many classes."""


class ConfusionPanel(QWidget):
    """Rows are true classes, columns predicted classes; colour is the row-normalised rate.

    Before a run: a neutral placeholder. From a run's start to its first epoch end: an empty n×n
    grid with the class names. Each new run starts from the empty grid again."""

    cell_clicked = Signal(int, int)
    """(true class, predicted class) of a clicked cell of a shown matrix."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(EMPTY)
        self.caption.setWordWrap(True)
        self.placeholder = placeholder(EMPTY)
        self.view = pg.GraphicsLayoutWidget()
        self.plot = self.view.addPlot()
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setLabel("left", "true class")
        self.plot.setLabel("bottom", "predicted class")
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.image.mouseClickEvent = self._clicked
        self.view.setToolTip("Click a cell to see its validation images (Insight, Mistakes tab)")
        self.plot.addItem(self.image)
        self.grid = pg.PlotCurveItem(pen=pg.mkPen("#5a5a5a"), connect="pairs")
        self.plot.addItem(self.grid)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack, 1)
        self.texts: list[pg.TextItem] = []
        self.classes: tuple[str, ...] = ()
        self.matrix: np.ndarray | None = None
        self.reset()

    def reset(self, classes: tuple[str, ...] = ()) -> None:
        """Forget the last matrix; an empty grid labelled with `classes`, or the placeholder when
        none are known."""
        self.matrix = None
        self.classes = tuple(classes)
        self.image.clear()
        self._clear_texts()
        self.caption.setText(EMPTY)
        n = len(self.classes)
        if not n:
            self.grid.setData([], [])
            self.caption.hide()
            self.stack.setCurrentWidget(self.placeholder)
            return
        ticks = [list(enumerate(c[:10] for c in self.classes))] if n <= 20 else None
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setTicks(ticks)
        if n <= GRID_CLASSES:
            edges = np.arange(n + 1) - 0.5
            ends = np.array([-0.5, n - 0.5])
            xs = np.concatenate([np.repeat(edges, 2), np.tile(ends, n + 1)])
            ys = np.concatenate([np.tile(ends, n + 1), np.repeat(edges, 2)])
            self.grid.setData(xs, ys)
        else:
            self.grid.setData([], [])
        self.grid.show()
        self._fit(n, n)
        self.caption.show()
        self.stack.setCurrentWidget(self.view)

    def idle(self) -> None:
        """Another project is open: nothing of the last run is shown."""
        self.reset()

    def handle(self, events: list) -> None:
        """A new run starts from an empty grid; show the newest epoch's matrix."""
        for e in events:
            if isinstance(e, Started):
                self.reset(e.classes)
        epochs = [e for e in events if isinstance(e, EpochMetrics)]
        if epochs:
            self.show_matrix(epochs[-1].confusion, epochs[-1].epoch, epochs[-1].val_accuracy)

    def show_matrix(self, matrix: np.ndarray, epoch: int, accuracy: float) -> None:
        """Draw the matrix (counts written in the cells when there are few classes)."""
        refit = self.matrix is None or self.matrix.shape != matrix.shape
        self.matrix = matrix
        rates = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        self.image.setImage(rates, levels=(0, 1), autoLevels=False)
        self.image.setRect(-0.5, -0.5, matrix.shape[1], matrix.shape[0])
        self.grid.hide()
        self._clear_texts()
        if matrix.shape[0] <= 12:
            for (r, c), n in np.ndenumerate(matrix):
                if n:
                    text = pg.TextItem(
                        str(n), color="w" if rates[r, c] < 0.6 else "k", anchor=(0.5, 0.5)
                    )
                    text.setPos(c, r)
                    self.plot.addItem(text)
                    self.texts.append(text)
        self.stack.setCurrentWidget(self.view)
        if refit:
            self._fit(*matrix.shape)
        self.caption.show()
        self.caption.setText(f"Validation confusion after epoch {epoch} · accuracy {accuracy:.2%}")

    def _clicked(self, event) -> None:
        """A click on a cell of the matrix names its (true, predicted) pair."""
        if self.matrix is None or event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.pos()  # image pixel coordinates: column = predicted, row = true
        row, column = int(pos.y()), int(pos.x())
        if 0 <= row < self.matrix.shape[0] and 0 <= column < self.matrix.shape[1]:
            event.accept()
            self.cell_clicked.emit(row, column)

    def _clear_texts(self) -> None:
        for t in self.texts:
            self.plot.removeItem(t)
        self.texts = []

    def _fit(self, rows: int, columns: int) -> None:
        """Show exactly the matrix's cells."""
        self.plot.setRange(xRange=(-0.5, columns - 0.5), yRange=(-0.5, rows - 0.5), padding=0.02)
