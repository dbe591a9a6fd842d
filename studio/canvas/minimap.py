"""The overview dock: the whole graph in miniature with the canvas's view rectangle on it.

A click centres the canvas on that point; dragging moves the view along. The miniature is painted
by the scene's batched `Overview` (plain boxes and wires), so it costs a few paint calls however
large the graph is.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QTransform
from PySide6.QtWidgets import QWidget

from studio.canvas import style
from studio.canvas.view import GraphView

_MARGIN = 6.0
_VIEW_COLOUR = QColor("#1565c0")


class Minimap(QWidget):
    """Shows every node of `view`'s scene and where `view` is looking; click or drag to move it."""

    def __init__(self, view: GraphView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setMinimumSize(120, 90)
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the canvas view")
        self._pending = QTimer(self, singleShot=True, interval=30)
        self._pending.timeout.connect(self.update)
        view.view_moved.connect(self._pending.start)
        view.graph_scene.changed.connect(lambda *_: self._pending.start())

    def sizeHint(self) -> QSize:
        """Small by default: it is an overview."""
        return QSize(260, 180)

    def scene_to_widget(self) -> QTransform:
        """Maps scene coordinates to this widget: the graph (and the view rectangle) fitted in."""
        area = self._area()
        width, height = self.width() - 2 * _MARGIN, self.height() - 2 * _MARGIN
        if area.isEmpty() or width <= 0 or height <= 0:
            return QTransform()
        scale = min(width / area.width(), height / area.height())
        dx = _MARGIN + (width - area.width() * scale) / 2 - area.left() * scale
        dy = _MARGIN + (height - area.height() * scale) / 2 - area.top() * scale
        return QTransform(scale, 0, 0, scale, dx, dy)

    def _area(self) -> QRectF:
        scene = self.view.graph_scene
        if not scene.nodes:
            return QRectF()
        return scene.items_rect()

    def paintEvent(self, event: QPaintEvent) -> None:
        """The graph in miniature and the view rectangle."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), style.BACKGROUND)
        transform = self.scene_to_widget()
        scene = self.view.graph_scene
        if scene.nodes:
            painter.setTransform(transform)
            area = self._area()
            scene.overview.paint(painter, area, transform.m11() * 0.01)
            painter.resetTransform()
            visible = transform.mapRect(self.view.visible_scene_rect())
            painter.setPen(QPen(_VIEW_COLOUR, 2))
            fill = QColor(_VIEW_COLOUR)
            fill.setAlpha(40)
            painter.setBrush(fill)
            painter.drawRect(visible.intersected(QRectF(self.rect()).adjusted(1, 1, -1, -1)))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Centre the canvas on the clicked point."""
        if event.button() == Qt.LeftButton:
            self._centre_at(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Drag the view rectangle."""
        if event.buttons() & Qt.LeftButton:
            self._centre_at(event.position())

    def _centre_at(self, point: QPointF) -> None:
        inverse, ok = self.scene_to_widget().inverted()
        if ok and self.view.graph_scene.nodes:
            self.view.centerOn(inverse.map(point))
            self.update()
