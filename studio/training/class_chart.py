"""Images per class as a bar chart: training on the bottom, validation stacked on top."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

TRAIN_BRUSH, VAL_BRUSH = "#4c8bf5", "#f5a54c"
MAX_TICKS = 40


class ClassChart(QWidget):
    """A caption and a bar chart of train/val counts per class."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.getAxis("left").setLabel("images")
        self.train = pg.BarGraphItem(x=[], height=[], width=0.8, brush=TRAIN_BRUSH)
        self.val = pg.BarGraphItem(x=[], height=[], width=0.8, brush=VAL_BRUSH)
        self.plot.addItem(self.train)
        self.plot.addItem(self.val)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot, 1)
        self.counts: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())

    def show_counts(
        self, classes: tuple[str, ...], train: tuple[int, ...], val: tuple[int, ...]
    ) -> None:
        """Draw one stacked bar per class, named on the axis (every n-th name when there are
        many)."""
        self.counts = (train, val)
        x = np.arange(len(classes))
        t, v = np.asarray(train, float), np.asarray(val, float)
        self.train.setOpts(x=x, height=t, y0=np.zeros_like(t))
        self.val.setOpts(x=x, height=v, y0=t)
        every = max(1, int(np.ceil(len(classes) / MAX_TICKS)))
        self.plot.getAxis("bottom").setTicks(
            [[(i, classes[i][:10]) for i in range(0, len(classes), every)]]
        )
        self.plot.setXRange(-0.6, len(classes) - 0.4, padding=0)
        self.plot.setYRange(0, max(1.0, float((t + v).max()) * 1.05) if len(x) else 1.0, padding=0)
        low, high = (int((t + v).min()), int((t + v).max())) if len(x) else (0, 0)
        self.caption.setText(
            f"<span style='color:{TRAIN_BRUSH}'>■</span> training "
            f"<span style='color:{VAL_BRUSH}'>■</span> validation — {len(classes)} classes, "
            f"{low:,}–{high:,} images each"
        )

    def clear(self) -> None:
        """No data."""
        self.counts = ((), ())
        self.train.setOpts(x=[], height=[], y0=[])
        self.val.setOpts(x=[], height=[], y0=[])
        self.caption.setText("")
