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


class WireLayer(QGraphicsItem):
    """Draws the scene's wires (EdgeItems) and their labels; caches the paths until told."""

    def __init__(self, scene: "GraphScene") -> None:
        super().__init__()
        self.graph_scene = scene
        self.setZValue(-1)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption, True)
        self._paths: tuple[QPainterPath, QPainterPath] | None = None
        self._rect = (
            QRectF()
        )  # every wire's area so far (grows; the scene rebuilds the layer on a new project)

    def changed(self, area: QRectF | None = None) -> None:
        """Wires were added, removed, re-routed, relabelled or (de)selected: redraw `area` (None:
        all)."""
        self._paths = None
        if area is None:
            self.update()
            return
        if not self._rect.contains(area):
            # A tight box keeps the scene's index (and its scene rect) to the graph, not the whole
            # canvas.
            self.prepareGeometryChange()
            self._rect = self._rect.united(area)
        self.update(area)

    def boundingRect(self) -> QRectF:
        """Where wires are or have been (what is painted is limited to the exposed area)."""
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """Wires in the exposed area, at the level of detail the zoom allows."""
        self.draw(
            painter, option.exposedRect, option.levelOfDetailFromTransform(painter.worldTransform())
        )

    def draw(self, painter: QPainter, exposed: QRectF, zoom: float) -> None:
        """Draw with `painter` (mapping scene coordinates) at `zoom`; labels only inside
        `exposed`."""
        thin = zoom < style.SMOOTH_WIRES_FROM
        painter.setRenderHint(QPainter.Antialiasing, not thin)
        painter.setBrush(Qt.NoBrush)
        plain_pen = pen(
            style.WIRE, 1, thin
        )  # 1 px at 100 %: the fast stroker; 1.4 px costs 7× more
        selected_pen = pen(style.WIRE_SELECTED, 2 if thin else 2.2, thin)
        if zoom < style.OVERVIEW_BELOW:
            # The overview: the whole graph is in view and no label can be read. Without
            # antialiasing one path of every wire is cheapest (and is cached).
            plain, selected = self._paths or self._join(self.graph_scene.edges.values())
            self._paths = (plain, selected)
            painter.setPen(plain_pen)
            painter.drawPath(plain)
            painter.setPen(selected_pen)
            painter.drawPath(selected)
            return
        # A path of many wires strokes ten times slower than the wires one by one when antialiased;
        # without antialiasing (zoomed out, where one-pixel lines look the same) wires cost six
        # times less.
        shown = self._edges_in(exposed)
        painter.save()
        painter.translate(
            0.5 / zoom, 0.5 / zoom
        )  # a one-pixel line on pixel centres: crisp, not two grey halves
        painter.setPen(plain_pen)
        for item in shown:
            if not item.isSelected():
                painter.drawPath(item.path())
        painter.restore()
        painter.setPen(selected_pen)
        for item in shown:
            if item.isSelected():
                painter.drawPath(item.path())
        painter.setFont(LABEL_FONT)
        painter.setPen(style.LABEL)
        spots = _LabelSpots()
        for item in shown:
            box = spots.place(item.label_rect(), item.label) if item.label else None
            if box is not None and box.intersects(exposed):
                painter.drawText(box, Qt.AlignLeft | Qt.AlignVCenter, item.label)

    def _edges_in(self, area: QRectF) -> list["EdgeItem"]:
        """Edge items whose bounding box meets `area` (from the scene's index, not a Python
        loop)."""
        return [
            i
            for i in self.graph_scene.items(area, Qt.IntersectsItemBoundingRect)
            if isinstance(i, EdgeItem)
        ]

    @staticmethod
    def _join(items) -> tuple[QPainterPath, QPainterPath]:
        plain, selected = QPainterPath(), QPainterPath()
        for item in items:
            if item.isVisible():
                (selected if item.isSelected() else plain).addPath(item.path())
        return plain, selected


class _LabelSpots:
    """Where labels have been drawn, hashed by 100×20 cells so each new label checks only its
    neighbours."""

    CELL_W, CELL_H = 100.0, 20.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[QRectF, str]]] = {}

    def place(self, box: QRectF, text: str) -> QRectF | None:
        """A spot for `text` at `box` or below it, clear of other labels; None when the same text is
        already there (wires into one merge carry the same shape)."""
        for _ in range(4):
            hit = next(
                (
                    seen
                    for cell in self._cells(box)
                    for seen in self.cells.get(cell, ())
                    if seen[0].intersects(box)
                ),
                None,
            )
            if hit is None:
                break
            if hit[1] == text:
                return None
            box = box.translated(0, hit[0].bottom() - box.top() + 1)
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append((box, text))
        return box

    def _cells(self, box: QRectF) -> list[tuple[int, int]]:
        x0, x1 = int(box.left() // self.CELL_W), int(box.right() // self.CELL_W)
        y0, y1 = int(box.top() // self.CELL_H), int(box.bottom() // self.CELL_H)
        return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def pen(colour: QColor, width: float, cosmetic: bool) -> QPen:
    """A pen `width` wide in scene units, or in screen pixels when `cosmetic`."""
    pen = QPen(colour, width)
    pen.setCosmetic(cosmetic)
    return pen
