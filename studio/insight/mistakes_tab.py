"""Mistakes: the validation images of one confusion-matrix cell, each with its attribution map."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout

from blocks.lazy import lazy
from runtime.insight.methods import TITLES
from runtime.insight.render import colormap_name, lookup_table, overlay
from studio.insight.grid import ThumbnailGrid
from studio.insight.images import pixmap
from studio.insight.panel import InsightPanel, Tab, hbox
from studio.insight.predict_tab import PredictTab


if TYPE_CHECKING:
    from runtime.insight.attribution import AttributionMap
attribution = lazy("runtime.insight.attribution")
torch = lazy("torch")

SHOWN = 12


def colour_strip(amap: AttributionMap, width: int = 160, height: int = 12) -> np.ndarray:
    """uint8 (height, width, 3): the map's colours from its low end (left) to its high end."""
    table = lookup_table(colormap_name(amap))
    row = table[np.linspace(0, len(table) - 1, width).astype(np.int64)]
    return np.ascontiguousarray(np.repeat(row[None], height, axis=0))


class MistakesTab(Tab):
    """Filled by clicking a cell of the Confusion panel; the method is the Predict tab's."""

    KIND = "mistakes"

    def __init__(self, panel: InsightPanel, predict_tab: PredictTab) -> None:
        super().__init__(panel)
        self.predict_tab = predict_tab
        self.title = QLabel(
            "Click a cell of the Confusion panel to see the validation images that land there."
        )
        self.title.setWordWrap(True)
        self.grid = ThumbnailGrid(6, 150)
        scroll = QScrollArea()
        scroll.setWidget(self.grid)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        self.bar = QLabel()
        self.bar_text = QLabel("")
        layout.addLayout(hbox(self.title))
        layout.addLayout(hbox(self.bar, self.bar_text, None))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)

    def show_cell(self, true_class: int, predicted: int) -> None:
        """Find the images of class `true_class` predicted as `predicted`, with their maps."""
        method = self.predict_tab.method.currentData()
        layer = self.predict_tab.layer()

        def job(session, cancelled):
            x, y = session.val_pixels()
            with torch.no_grad():
                guess = torch.cat(
                    [session.model(x[i : i + 500]).argmax(1) for i in range(0, len(y), 500)]
                )
            index = torch.nonzero((y == true_class) & (guess == predicted)).flatten()
            chosen = index[:SHOWN].tolist()
            maps = (
                attribution.attribute(session, x[chosen], method, predicted, layer)
                if chosen
                else []
            )
            return true_class, predicted, len(index), method, chosen, maps

        if self.panel.run("mistakes", job):
            self.message.setText("Finding the images of this cell…")

    def _colour_bar(self, amap: AttributionMap) -> None:
        """The colours of the maps, with what their ends mean."""
        strip = colour_strip(amap)
        self.bar.setPixmap(pixmap(strip, strip.shape[1]))
        low = "−max" if amap.signed else "0"
        self.bar_text.setText(f"{low} … +max of each image's map ({amap.unit}; strongest opaque)")

    def show_result(self, kind: str, result: Any) -> None:
        """Thumbnails with the map over each."""
        true_class, predicted, total, method, chosen, maps = result
        session = self.panel.session
        names = session.classes
        verdict = "correct" if true_class == predicted else "mistaken"
        self.title.setText(
            f"True '{names[true_class]}', predicted '{names[predicted]}' ({verdict}): "
            f"{total} validation image{'s' if total != 1 else ''}"
            f"{f', first {len(chosen)} shown' if total > len(chosen) else ''} · "
            f"{TITLES[method]} toward '{names[predicted]}', each map scaled to its own maximum"
        )
        items = []
        for index, amap in zip(chosen, maps):
            image = np.asarray(session.val.images[index])
            items.append((overlay(image, amap), f"#{index}"))
        self.grid.set_items(items)
        if maps:
            self._colour_bar(maps[0])
        self.message.setText("" if items else "No validation image lands in this cell.")
