"""Weight and gradient histograms of one layer at a time (chosen from a list)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from runtime.training.events import Histograms, Started


class HistogramPanel(QWidget):
    """Two step-curve plots: the chosen layer's weights and their gradients."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = QComboBox()
        self.layer.currentTextChanged.connect(lambda _: self.redraw())
        self.info = QLabel("")
        self.plots = pg.GraphicsLayoutWidget()
        self.weight_plot = self.plots.addPlot(title="weights")
        self.grad_plot = self.plots.addPlot(title="gradients")
        self.weight_curve = self.weight_plot.plot(
            stepMode="center", fillLevel=0, brush="#4c9be880", pen="#4c9be8"
        )
        self.grad_curve = self.grad_plot.plot(
            stepMode="center", fillLevel=0, brush="#e15759a0", pen="#e15759"
        )
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer"))
        top.addWidget(self.layer, 1)
        top.addWidget(self.info)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plots, 1)
        self.latest: Histograms | None = None

    def reset(self) -> None:
        """A new run: no layers, no curves."""
        self.latest = None
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.blockSignals(False)
        self.weight_curve.clear()
        self.grad_curve.clear()
        self.info.setText("")

    def idle(self) -> None:
        """Another project is open: nothing of the last run is shown."""
        self.reset()

    def handle(self, events: list) -> None:
        """Keep the newest histograms and redraw the chosen layer."""
        if any(isinstance(e, Started) for e in events):
            self.reset()
        found = [e for e in events if isinstance(e, Histograms)]
        if not found:
            return
        self.latest = found[-1]
        names = list(self.latest.weights)
        if names != [self.layer.itemText(i) for i in range(self.layer.count())]:
            current = self.layer.currentText()
            self.layer.blockSignals(True)
            self.layer.clear()
            self.layer.addItems(names)
            self.layer.setCurrentText(current if current in names else names[0] if names else "")
            self.layer.blockSignals(False)
        self.redraw()

    def redraw(self) -> None:
        """Draw the chosen layer's two histograms."""
        h, name = self.latest, self.layer.currentText()
        if h is None or name not in h.weights:
            return
        counts, edges = h.weights[name]
        self.weight_curve.setData(edges, counts.astype(np.float64))
        if name in h.grads:
            g_counts, g_edges = h.grads[name]
            self.grad_curve.setData(g_edges, g_counts.astype(np.float64))
        self.info.setText(f"iteration {h.step:,}")
