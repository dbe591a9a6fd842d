"""All wires of the canvas drawn by one item.

A wire item of its own per edge costs a Python paint call each (and a cached pixmap as large as
the wire's bounding box, which for a long wire is most of the screen). The edge items therefore
only take clicks and rubber bands (they are flagged as having no contents); `WireLayer` draws the
wires in view, the selected ones on top, and their shape labels.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from studio.canvas import style
from studio.canvas.items import LABEL_FONT, EdgeItem

if TYPE_CHECKING:
    from studio.canvas.scene import GraphScene

CANVAS = QRectF(-50000, -50000, 100000, 100000)
"""The scene area the view allows; the layer covers all of it."""
LABELS_FROM = 0.5
"""Zoom from which wire labels are drawn."""
THIN_BELOW = 0.5
"""Zoom under which wires are drawn one pixel wide, without antialiasing."""


class WireLayer(QGraphicsItem):
    """Draws the scene's wires (EdgeItems) and their labels; caches the paths until told."""

    def __init__(self, scene: "GraphScene") -> None:
        super().__init__()
        self.graph_scene = scene
        self.setZValue(-1)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption, True)
        self._paths: tuple[QPainterPath, QPainterPath] | None = None

    def changed(self, area: QRectF | None = None) -> None:
        """Wires were added, removed, re-routed, relabelled or (de)selected: redraw `area` (None: all)."""
        self._paths = None
        if area is None:
            self.update()
        else:
            self.update(area)

    def boundingRect(self) -> QRectF:
        """The whole canvas (what is painted is limited to the exposed area)."""
        return CANVAS

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Wires in the exposed area, at the level of detail the zoom allows."""
        self.draw(painter, option.exposedRect, option.levelOfDetailFromTransform(painter.worldTransform()))

    def draw(self, painter: QPainter, exposed: QRectF, zoom: float) -> None:
        """Draw with `painter` (mapping scene coordinates) at `zoom`; labels only inside `exposed`."""
        thin = zoom < THIN_BELOW
        painter.setRenderHint(QPainter.Antialiasing, not thin)
        painter.setBrush(Qt.NoBrush)
        plain_pen = _pen(style.WIRE, 1 if thin else 1.4, thin)
        selected_pen = _pen(style.WIRE_SELECTED, 2 if thin else 2.2, thin)
        if thin:
            # Without antialiasing one path of every wire is cheapest (and is cached).
            plain, selected = self._paths or self._join(self.graph_scene.edges.values())
            self._paths = (plain, selected)
            painter.setPen(plain_pen)
            painter.drawPath(plain)
            painter.setPen(selected_pen)
            painter.drawPath(selected)
        else:
            # Antialiased, a path of many wires strokes ten times slower than the wires one by one.
            shown = self._edges_in(exposed)
            painter.setPen(plain_pen)
            for item in shown:
                if not item.isSelected():
                    painter.drawPath(item.path())
            painter.setPen(selected_pen)
            for item in shown:
                if item.isSelected():
                    painter.drawPath(item.path())
        if zoom < LABELS_FROM:
            return
        painter.setFont(LABEL_FONT)
        painter.setPen(style.LABEL)
        drawn: list[tuple[QRectF, str]] = []
        for item in self._edges_in(exposed):
            box = _free_spot(item.label_rect(), item.label, drawn)
            if item.label and box is not None and box.intersects(exposed):
                drawn.append((box, item.label))
                painter.drawText(box, Qt.AlignLeft | Qt.AlignVCenter, item.label)

    def _edges_in(self, area: QRectF) -> list["EdgeItem"]:
        """Edge items whose bounding box meets `area` (from the scene's index, not a Python loop)."""
        return [i for i in self.graph_scene.items(area, Qt.IntersectsItemBoundingRect) if isinstance(i, EdgeItem)]

    @staticmethod
    def _join(items) -> tuple[QPainterPath, QPainterPath]:
        plain, selected = QPainterPath(), QPainterPath()
        for item in items:
            (selected if item.isSelected() else plain).addPath(item.path())
        return plain, selected


def _free_spot(box: QRectF, text: str, drawn: list[tuple[QRectF, str]]) -> QRectF | None:
    """Where a label can go without covering one already drawn: None when the same text is already
    there (wires into one merge carry the same shape), else `box`, moved down past other labels."""
    for _ in range(4):
        hit = next(((other, label) for other, label in drawn if other.intersects(box)), None)
        if hit is None:
            return box
        if hit[1] == text:
            return None
        box = box.translated(0, hit[0].bottom() - box.top() + 1)
    return box


def _pen(colour: QColor, width: float, cosmetic: bool) -> QPen:
    """A pen `width` wide in scene units, or in screen pixels when `cosmetic`."""
    pen = QPen(colour, width)
    pen.setCosmetic(cosmetic)
    return pen
