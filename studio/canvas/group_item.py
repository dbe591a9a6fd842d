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

from runtime.layout import COLUMN_GAP
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


def frame_pieces(rects: list[QRectF], flow: str = "down") -> list[QRectF]:
    """The boxes of a group's blocks joined into one rectangle per column they stand in: a group
    that a folded layout splits over two columns gets two frames, never one frame over both
    columns and what lies between. Blocks closer across the flow than half a column gap (the
    branches of a layer) share a frame. Ordered across the flow (the order of folded columns)."""
    if not rects:
        return []
    across_start = QRectF.left if flow == "down" else QRectF.top
    across_end = QRectF.right if flow == "down" else QRectF.bottom
    gap = COLUMN_GAP.get(flow, COLUMN_GAP["down"]) / 2
    pieces: list[QRectF] = []
    for rect in sorted(rects, key=across_start):
        if pieces and across_start(rect) <= across_end(pieces[-1]) + gap:
            pieces[-1] = pieces[-1].united(rect)
        else:
            pieces.append(QRectF(rect))
    return pieces


class GroupItem(QGraphicsItem):
    """Group `name`: expanded, a frame around each column of its blocks (`pieces`); collapsed, a
    box at their centre."""

    def __init__(self, name: str, toggle: Callable[[str], None]) -> None:
        super().__init__()
        self.name = name
        self.collapsed = False
        self.members_rect = QRectF()
        self.pieces: list[QRectF] = []
        """The blocks' boxes united per column (frame_pieces); `members_rect` unites them all."""
        self.home = QPointF()
        """Where a collapsed box sits when its nodes have not been dragged (their centre)."""
        self.lines: tuple[str, str, str] = ("", "", "")
        """The collapsed box's body: shapes entering, shapes leaving, parameters and MACs."""
        self.count = ""
        self._exact = ""
        self.input_count = 0
        self.flow = "down"
        """The project's flow direction: where the box's ports sit (runtime.layout.DIRECTIONS)."""
        self.moved_callback: Callable[[str], None] | None = None
        self._toggle = toggle
        self.setFlag(QGraphicsItem.ItemSendsGeometryChanges, True)
        self.setZValue(-0.5)

    # ----- state -----------------------------------------------------------------------
    def set_state(self, collapsed: bool, pieces: list[QRectF]) -> None:
        """Follow the group's nodes (their boxes united per column: frame_pieces) and whether it
        is collapsed."""
        self.prepareGeometryChange()
        self.collapsed = collapsed
        self.pieces = [QRectF(p) for p in pieces]
        members_rect = QRectF()
        for piece in self.pieces:
            members_rect = members_rect.united(piece)
        self.members_rect = members_rect
        self.home = members_rect.center()
        self.setFlag(QGraphicsItem.ItemIsSelectable, collapsed)
        self.setFlag(QGraphicsItem.ItemIsMovable, collapsed)
        self.setZValue(0 if collapsed else -0.5)  # the title strip above the wires
        callback, self.moved_callback = self.moved_callback, None  # no re-routing mid-update
        self.setPos(self.home if collapsed else QPointF())
        self.moved_callback = callback
        self.update()

    def set_lines(
        self, ins: str, outs: str, cost: str, count: str, input_count: int, exact: str = ""
    ) -> None:
        """The collapsed box's text: shapes in and out, parameters and MACs (compact), how many
        blocks; `exact` (the whole figures) goes to the tooltip."""
        state = ((ins, outs, cost), count, input_count, exact)
        if state != (self.lines, self.count, self.input_count, self._exact):
            self.lines, self.count, self.input_count, self._exact = state
            self.setToolTip(
                f"Group {self.name}: {count}\nin {ins}\nout {outs}\n{exact or cost}\n"
                "Double-click to expand"
            )
            self.update()

    # ----- geometry ----------------------------------------------------------------------
    @staticmethod
    def _framed(rect: QRectF) -> QRectF:
        m = FRAME_MARGIN
        return rect.adjusted(-m, -TITLE_H - 4, m, FRAME_BOTTOM)

    def frame_rect(self) -> QRectF:
        """Everything the expanded frames cover, in scene coordinates (the item sits at the
        origin then)."""
        return self._framed(self.members_rect)

    def frame_rects(self) -> list[QRectF]:
        """The expanded frames, one per column of blocks, in scene coordinates."""
        return [self._framed(piece) for piece in self.pieces] or [self.frame_rect()]

    def title_rects(self) -> list[QRectF]:
        """The title strip of every frame."""
        return [QRectF(f.left(), f.top(), f.width(), TITLE_H) for f in self.frame_rects()]

    def title_rect(self) -> QRectF:
        """The first frame's title strip."""
        return self.title_rects()[0]

    def titles(self) -> list[tuple[QRectF, str]]:
        """Each frame's title strip with its text: the name, then "(cont.)" on later columns."""
        strips = self.title_rects()
        return [
            (strip, self.name if i == 0 else f"{self.name} (cont.)")
            for i, strip in enumerate(strips)
        ]

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
        return self.frame_rect().adjusted(-2, -2, 2, 2)  # every piece lies within

    def shape(self) -> QPainterPath:
        """Collapsed: the box. Expanded: the title strip only, so that a rubber band can start
        anywhere inside the frame and clicks reach the nodes."""
        path = QPainterPath()
        if self.collapsed:
            path.addRect(self.box())
        else:
            for strip in self.title_rects():
                path.addRect(strip)
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
        for frame in self.frame_rects():
            painter.setPen(QPen(FRAME_BORDER, 1.4, Qt.SolidLine))
            painter.setBrush(FRAME_FILL)
            painter.drawRoundedRect(frame, 10, 10)
        painter.setFont(_TITLE)
        painter.setPen(FRAME_BORDER.darker(140))
        for strip, name in self.titles():
            text = _TITLE_METRICS.elidedText(f"▾ {name}", Qt.ElideRight, int(strip.width() - 20))
            painter.drawText(strip.adjusted(10, 0, -10, 0), Qt.AlignLeft | Qt.AlignVCenter, text)

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
