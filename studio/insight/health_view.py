"""Live layer health on the canvas: nodes shaded by a chosen measure while training, a legend on the
canvas, and warnings in Problems when a layer is dead, exploding or saturated."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QLabel

from runtime.insight.health_watch import MEASURES, TITLES, HealthWatch, shade_levels
from runtime.training.events import Health, Started
from studio.canvas import style

NOTES_SOURCE = "training health"


def _fmt(value: float, measure: str) -> str:
    if measure in ("dead_fraction", "saturation"):
        return f"{value:.0%}"
    return f"{value:.2g}"


class HealthShading(QObject):
    """Follows the training controller's Health events; View ▸ Shade Nodes By gains the four
    measures."""

    def __init__(self, window: Any, controller: Any) -> None:
        super().__init__(window)
        self.window = window
        self.watch = HealthWatch()
        self.measure: str | None = None
        self.legend = QLabel(window.view.viewport())
        self.legend.setStyleSheet(
            "QLabel { background: rgba(255,255,255,230); border: 1px solid #9e9e9e;"
            " padding: 6px; color: #202124; }"
        )
        self.legend.hide()
        self.actions: dict[str, QAction] = {}
        self._menu()
        controller.events.connect(self.handle)
        window.doc.project_replaced.connect(self._replaced)

    def _menu(self) -> None:
        existing = self.window.actions_by_name["shade_none"]
        group: QActionGroup = existing.actionGroup()
        menu = next(m for m in existing.associatedObjects() if hasattr(m, "addSeparator"))
        menu.addSeparator()
        for measure in MEASURES:
            action = QAction(f"Live: {TITLES[measure]}", self.window, checkable=True)
            action.setToolTip("While training: each layer's figure from the last snapshot")
            action.triggered.connect(lambda checked=False, m=measure: self.set_measure(m))
            group.addAction(action)
            menu.addAction(action)
            self.actions[measure] = action
            self.window.actions_by_name[f"shade_{measure}"] = action
        for name in ("shade_none", "shade_params", "shade_macs"):
            self.window.actions_by_name[name].triggered.connect(
                lambda checked=False: self.set_measure(None)
            )

    def set_measure(self, measure: str | None) -> None:
        """Shade by a live health measure, or stop (None)."""
        self.measure = measure
        if measure is None:
            self.legend.hide()
            return
        self.window.scene.shade_mode = "none"
        self.redraw()

    def handle(self, events: list) -> None:
        """Read one frame of training events."""
        changed, fresh = False, False
        for e in events:
            if isinstance(e, Started):
                self.watch.reset()
                changed = True
            elif isinstance(e, Health):
                changed |= self.watch.update(e)
                fresh = True
        if changed:
            self._publish()
        if fresh and self.measure is not None:
            self.redraw()

    def _node_ids(self) -> dict[str, str]:
        return {n.name: nid for nid, n in self.window.current_project().graph.nodes.items()}

    def _publish(self) -> None:
        ids = self._node_ids()
        notes = [(ids.get(i.layer), i.message) for i in self.watch.issues]
        self.window.problems.set_notes(NOTES_SOURCE, notes)

    def redraw(self) -> None:
        """Shade the canvas with the latest reading and refresh the legend."""
        if self.measure is None:
            return
        values = self.watch.values(self.measure)
        ids = self._node_ids()
        levels = {
            ids[name]: v for name, v in shade_levels(values, self.measure).items() if name in ids
        }
        self.window.scene.set_node_shades(levels)
        self._legend(values)

    def _legend(self, values: dict[str, float]) -> None:
        measure = self.measure
        swatch = "&nbsp;" * 4
        ramp = (
            f"<span style='background:{style.category_colour('').name()}'>{swatch}</span>"
            f"<span style='background:{style.SHADE.name()}'>{swatch}</span>"
        )
        if values:
            finite = [v for v in values.values() if math.isfinite(v)]
            low, high = (min(finite), max(finite)) if finite else (math.nan, math.nan)
            scale = (
                "share of units"
                if measure in ("dead_fraction", "saturation")
                else "log scale over layers"
            )
            body = (
                f"{ramp} {_fmt(low, measure)} → {_fmt(high, measure)} ({scale})<br>"
                f"step {self.watch.latest.step:,}; unshaded nodes have no such figure"
            )
        else:
            body = "Appears while training (one reading per snapshot)."
        self.legend.setText(f"<b>{TITLES[measure]}</b><br>{body}")
        self.legend.adjustSize()
        viewport = self.window.view.viewport()
        self.legend.move(viewport.width() - self.legend.width() - 10, 10)
        self.legend.show()
        self.legend.raise_()

    def _replaced(self) -> None:
        self.watch.reset()
        self.window.problems.set_notes(NOTES_SOURCE, [])
        if self.measure is not None:
            self.redraw()
