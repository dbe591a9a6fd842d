"""A group on the canvas: a named frame around its nodes, or (collapsed) one node standing for them.

The item only draws and reports gestures; the scene decides which nodes it hides and where the
wires crossing the group's border attach (studio.canvas.scene).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from studio.canvas import style

FRAME_MARGIN = 14.0
"""Space between the frame's sides and the nodes it holds."""
FRAME_BOTTOM = 9.0
"""Space below the nodes (room for the output ports): small, so that the frames of consecutive
layers (Y_GAP apart) do not overlap."""
TITLE_H = 17.0
"""Height of the frame's title strip (the handle for double-clicks and context menus)."""
BOX_W = style.NODE_W + 44
BOX_H = style.NODE_H + 22
"""Size of a collapsed group: a node a little larger than a block, with four lines of text."""
_TITLE = style.font(9.0, bold=True)
_BODY = style.font(8.0)
_TITLE_METRICS = QFontMetricsF(_TITLE)
_BODY_METRICS = QFontMetricsF(_BODY)
FRAME_FILL = QColor(92, 107, 192, 22)
FRAME_BORDER = QColor("#5c6bc0")
BOX_FILL = QColor("#e8eaf6")


class GroupItem(QGraphicsItem):
    """Group `name`: expanded, a frame around `members_rect`; collapsed, a box at its centre."""

    def __init__(self, name: str, toggle: Callable[[str], None]) -> None:
        super().__init__()
        self.name = name
        self.collapsed = False
        self.members_rect = QRectF()
        self.home = QPointF()
        """Where a collapsed box sits when its nodes have not been dragged (their centre)."""
        self.lines: tuple[str, str, str] = ("", "", "")
        """The collapsed box's body: shapes entering, shapes leaving, parameters and MACs."""
        self.count = ""
        self.input_count = 0
        self.flow = "down"
        """The project's flow direction: where the box's ports sit (runtime.layout.DIRECTIONS)."""
        self.moved_callback: Callable[[str], None] | None = None
        self._toggle = toggle
        self.setFlag(QGraphicsItem.ItemSendsGeometryChanges, True)
        self.setZValue(-0.5)

    # ----- state -----------------------------------------------------------------------
    def set_state(self, collapsed: bool, members_rect: QRectF) -> None:
        """Follow the group's nodes (their united box) and whether it is collapsed."""
        self.prepareGeometryChange()
        self.collapsed = collapsed
        self.members_rect = QRectF(members_rect)
        self.home = members_rect.center()
        self.setFlag(QGraphicsItem.ItemIsSelectable, collapsed)
        self.setFlag(QGraphicsItem.ItemIsMovable, collapsed)
        self.setZValue(0 if collapsed else -0.5)  # the title strip above the wires
        callback, self.moved_callback = self.moved_callback, None  # no re-routing mid-update
        self.setPos(self.home if collapsed else QPointF())
        self.moved_callback = callback
        self.update()

    def set_lines(self, ins: str, outs: str, cost: str, count: str, input_count: int) -> None:
        """The collapsed box's text: shapes in and out, parameters and MACs, how many blocks."""
        if ((ins, outs, cost), count, input_count) != (self.lines, self.count, self.input_count):
            self.lines, self.count, self.input_count = (ins, outs, cost), count, input_count
            self.setToolTip(
                f"Group {self.name}: {count}\nin {ins}\nout {outs}\n{cost}\nDouble-click to expand"
            )
            self.update()

    # ----- geometry ----------------------------------------------------------------------
    def frame_rect(self) -> QRectF:
        """The expanded frame, in scene coordinates (the item sits at the origin then)."""
        m = FRAME_MARGIN
        return self.members_rect.adjusted(-m, -TITLE_H - 4, m, FRAME_BOTTOM)

    def title_rect(self) -> QRectF:
        """The frame's title strip."""
        frame = self.frame_rect()
        return QRectF(frame.left(), frame.top(), frame.width(), TITLE_H)

    @staticmethod
    def box() -> QRectF:
        """The collapsed box, in item coordinates."""
        return QRectF(-BOX_W / 2, -BOX_H / 2, BOX_W, BOX_H)

    def in_port_pos(self, port: int) -> QPointF:
        """Local position of the collapsed box's input `port` (one per wire entering the group): on
        top, or on the left side when flowing right."""
        share = (port + 1) / (max(self.input_count, 1) + 1)
        if self.flow == "right":
            return QPointF(-BOX_W / 2, -BOX_H / 2 + BOX_H * share)
        return QPointF(-BOX_W / 2 + BOX_W * share, -BOX_H / 2)

    def out_port_pos(self) -> QPointF:
        """Local position of the collapsed box's output port (every wire leaving starts there):
        below, or on the right side when flowing right."""
        if self.flow == "right":
            return QPointF(BOX_W / 2, 0.0)
        return QPointF(0.0, BOX_H / 2)

    def boundingRect(self) -> QRectF:
        """The box (with its ports) when collapsed, the frame otherwise."""
        if self.collapsed:
            m = style.PORT_R + 2
            return self.box().adjusted(-2, -m, 2, m)
        return self.frame_rect().adjusted(-2, -2, 2, 2)

    def shape(self) -> QPainterPath:
        """Collapsed: the box. Expanded: the title strip only, so that a rubber band can start
        anywhere inside the frame and clicks reach the nodes."""
        path = QPainterPath()
        path.addRect(self.box() if self.collapsed else self.title_rect())
        return path

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        """Keep the wires attached while a collapsed box is dragged."""
        if change == QGraphicsItem.ItemPositionHasChanged and self.moved_callback is not None:
            self.moved_callback(self.name)
        return super().itemChange(change, value)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Take presses on the frame's title (so its double-clicks arrive here); a collapsed box
        is selected and dragged like a node."""
        if self.collapsed:
            super().mousePressEvent(event)
        else:
            event.accept()

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """A double-click collapses an expanded group, or expands a collapsed one."""
        if event.button() == Qt.LeftButton:
            self._toggle(self.name)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    # ----- drawing -------------------------------------------------------------------
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """A frame with a title strip, or a double-bordered box with the group's figures."""
        if self.collapsed:
            self._paint_box(painter)
        else:
            self._paint_frame(painter)

    def _paint_frame(self, painter: QPainter) -> None:
        frame, title = self.frame_rect(), self.title_rect()
        painter.setPen(QPen(FRAME_BORDER, 1.4, Qt.DashLine))
        painter.setBrush(FRAME_FILL)
        painter.drawRoundedRect(frame, 10, 10)
        painter.setFont(_TITLE)
        painter.setPen(FRAME_BORDER.darker(140))
        text = _TITLE_METRICS.elidedText(f"▾ {self.name}", Qt.ElideRight, int(title.width() - 20))
        painter.drawText(title.adjusted(10, 0, -10, 0), Qt.AlignLeft | Qt.AlignVCenter, text)

    def _paint_box(self, painter: QPainter) -> None:
        box = self.box()
        selected = self.isSelected()
        painter.setPen(QPen(style.SELECT_BORDER if selected else FRAME_BORDER, 2.4))
        painter.setBrush(BOX_FILL)
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(QPen(FRAME_BORDER, 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(box.adjusted(3, 3, -3, -3), 6, 6)
        inner = box.adjusted(10, 6, -10, -6)
        row = inner.height() / 4
        width = int(inner.width())
        top = QRectF(inner.left(), inner.top(), inner.width(), row)
        painter.setFont(_BODY)
        painter.setPen(style.MUTED_TEXT)
        painter.drawText(top, Qt.AlignVCenter | Qt.AlignRight, self.count)
        room = width - int(_BODY_METRICS.horizontalAdvance(self.count)) - 8
        painter.setFont(_TITLE)
        painter.setPen(style.TEXT)
        title = _TITLE_METRICS.elidedText(f"▸ {self.name}", Qt.ElideRight, room)
        painter.drawText(top, Qt.AlignVCenter, title)
        painter.setFont(_BODY)
        labels = ("in  ", "out ", "")
        for i, text in enumerate(self.lines, start=1):
            line = _BODY_METRICS.elidedText(labels[i - 1] + text, Qt.ElideRight, width)
            at = QRectF(inner.left(), inner.top() + i * row, inner.width(), row)
            painter.drawText(at, Qt.AlignVCenter, line)
        painter.setPen(QPen(style.BORDER, 1))
        painter.setBrush(QColor("#ffffff"))
        for port in range(self.input_count):
            painter.drawEllipse(self.in_port_pos(port), style.PORT_R, style.PORT_R)
        painter.setBrush(QColor("#455a64"))
        painter.drawEllipse(self.out_port_pos(), style.PORT_R, style.PORT_R)
