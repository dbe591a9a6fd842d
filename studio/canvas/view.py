"""The canvas view: zoom at the mouse, pan, rubber-band selection, wiring by dragging between ports,
drops."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QStyleOptionGraphicsItem

from studio.canvas import style
from studio.canvas.hints import draw_hints
from studio.canvas.items import NodeItem, WireItem
from studio.canvas.overview import OVERVIEW_BELOW
from studio.canvas.scene import GraphScene

BLOCK_MIME = "application/x-convstudio-block"
"""Drag-and-drop payload of a palette entry: the block id as UTF-8."""


class GraphView(QGraphicsView):
    """Shows a GraphScene; turns gestures into undoable edits on the scene's document."""

    status = Signal(str)
    """A message for the status bar (e.g. why a connection is refused)."""
    block_dropped = Signal(str, QPointF)
    """A palette entry was dropped at a scene position."""
    files_dropped = Signal(list)
    """Local files were dropped on the canvas."""
    context_menu_requested = Signal(object, object)
    """(node id or None, global position)."""
    view_moved = Signal()
    """The visible part of the scene changed (scroll, zoom, resize)."""
    group_menu_requested = Signal(str, object)
    """(group name, global position): a right click on a group's frame title or collapsed box."""

    def __init__(self, scene: GraphScene) -> None:
        super().__init__(scene)
        self.graph_scene = scene
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.DontSavePainterState)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setAcceptDrops(True)
        self.setSceneRect(-50000, -50000, 100000, 100000)
        self._wire: WireItem | None = None
        self._wire_src: str | None = None
        self._pan_from: QPointF | None = None

    # ----- zoom and pan ------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        """Zoomed in: Qt paints every item. Zoomed out: one batched overview (see
        studio.canvas.overview)."""
        if self.transform().m11() >= OVERVIEW_BELOW:
            super().paintEvent(event)
            self._paint_hints()
            return
        painter = QPainter(self.viewport())
        painter.setTransform(self.viewportTransform())
        exposed = self.mapToScene(event.rect()).boundingRect()
        self.drawBackground(painter, exposed)
        self.graph_scene.overview.paint(painter, exposed, self.transform().m11())
        if self._wire is not None:
            painter.setRenderHint(QPainter.Antialiasing, True)
            self._wire.paint(painter, QStyleOptionGraphicsItem(), None)
        band = self.rubberBandRect()
        if not band.isNull():
            painter.resetTransform()
            colour = self.palette().color(QPalette.Highlight)
            painter.setPen(colour)
            colour.setAlpha(50)
            painter.setBrush(colour)
            painter.drawRect(band)
        painter.end()
        self._paint_hints()

    def _paint_hints(self) -> None:
        """The empty-canvas hint and the shading legend, fixed on the viewport (canvas.hints)."""
        painter = QPainter(self.viewport())
        draw_hints(painter, self.graph_scene, self.viewport().width(), self.viewport().height())
        painter.end()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Zoom about the mouse position."""
        factor = 1.15 ** (event.angleDelta().y() / 120)
        scale = self.transform().m11() * factor
        if 0.05 <= scale <= 4:
            self.scale(factor, factor)
            self.view_moved.emit()

    def zoom(self, factor: float) -> None:
        """Zoom about the view centre."""
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.AnchorViewCenter)
        self.scale(factor, factor)
        self.setTransformationAnchor(anchor)
        self.view_moved.emit()

    def fit(self) -> None:
        """Show every node, never larger than 100 % (the semantic zoom keeps titles readable when a
        large network is shown whole: see studio.canvas.overview)."""
        if not self.graph_scene.nodes:
            return
        rect = self.graph_scene.items_rect()
        self.fitInView(rect, Qt.KeepAspectRatio)
        if self.transform().m11() > 1.0:
            self.resetTransform()
            self.centerOn(rect.center())
        self.view_moved.emit()

    def visible_scene_rect(self) -> QRectF:
        """The part of the scene the viewport shows."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """Scroll, and tell the minimap; scrolling moves pixels, so repaint all while a hint or
        legend is fixed on the viewport."""
        super().scrollContentsBy(dx, dy)
        if not self.graph_scene.nodes or self.graph_scene.shade_mode != "none":
            self.viewport().update()
        self.view_moved.emit()

    def resizeEvent(self, event) -> None:
        """Resize, and tell the minimap."""
        super().resizeEvent(event)
        self.view_moved.emit()

    # ----- mouse -------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Middle button pans; a press on an output port starts a wire."""
        if event.button() == Qt.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            return
        if event.button() == Qt.LeftButton:
            hit = self.graph_scene.port_at(self.mapToScene(event.position().toPoint()))
            if hit and hit[1] == "out":
                item = hit[0]
                self._wire_src = item.node_id
                self._wire = WireItem(item.mapToScene(item.out_port_pos()))
                self.graph_scene.addItem(self._wire)
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Pan, or drag the wire and say whether it may connect where it is."""
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            return
        if self._wire is not None:
            pos = self.mapToScene(event.position().toPoint())
            target, problem = self._target(pos)
            colour = (
                style.WIRE if target is None else (style.WIRE_BAD if problem else style.WIRE_OK)
            )
            self._wire.set_end(pos, colour)
            self.status.emit(problem or "")
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Finish a pan, a wire (connect if allowed) or a move (one undo step)."""
        if self._pan_from is not None and event.button() == Qt.MiddleButton:
            self._pan_from = None
            self.viewport().unsetCursor()
            return
        if self._wire is not None:
            self._finish_wire(self.mapToScene(event.position().toPoint()))
            return
        super().mouseReleaseEvent(event)
        self._commit_moves()

    def _target(self, pos: QPointF) -> tuple[tuple[str, int] | None, str | None]:
        hit = self.graph_scene.port_at(pos)
        if not hit or hit[1] != "in":
            return None, None
        item, _, port = hit
        graph = self.graph_scene.doc.project.graph
        return (item.node_id, port), graph.connection_problem(self._wire_src, item.node_id, port)

    def _finish_wire(self, pos: QPointF) -> None:
        target, _ = self._target(pos)
        self.graph_scene.removeItem(self._wire)
        self._wire = None
        src, self._wire_src = self._wire_src, None
        self.status.emit("")
        if target is not None:
            self.graph_scene.doc.connect(
                src, target[0], target[1]
            )  # a refusal is shown by the window

    def _commit_moves(self) -> None:
        items = self.graph_scene.nodes
        moves = {
            nid: (items[nid].pos().x(), items[nid].pos().y())
            for nid in self.graph_scene.selected_node_ids()
        }
        moves.update(self.graph_scene.collapsed_group_moves())
        self.graph_scene.doc.move_nodes(moves)

    def contextMenuEvent(self, event) -> None:
        """Ask the window for a context menu on the node under the mouse (or the canvas)."""
        item = self.itemAt(event.pos())
        group = self.graph_scene.group_at(item)
        if group is not None:
            self.group_menu_requested.emit(group, event.globalPos())
            return
        node_id = item.node_id if isinstance(item, NodeItem) else None
        self.context_menu_requested.emit(node_id, event.globalPos())

    # ----- drops -------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept palette entries and project files."""
        mime = event.mimeData()
        if mime.hasFormat(BLOCK_MIME) or mime.hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        """Keep accepting while over the canvas."""
        mime = event.mimeData()
        if mime.hasFormat(BLOCK_MIME) or mime.hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Add the dropped block where it was dropped, or open dropped files."""
        mime = event.mimeData()
        if mime.hasFormat(BLOCK_MIME):
            block = bytes(mime.data(BLOCK_MIME)).decode("utf-8")
            self.block_dropped.emit(block, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        elif mime.hasUrls():
            self.files_dropped.emit([u.toLocalFile() for u in mime.urls() if u.isLocalFile()])
            event.acceptProposedAction()
