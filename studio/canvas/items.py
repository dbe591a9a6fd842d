"""Canvas items: a node box with ports, and a wire labelled with the shape it carries.

Items only draw; they never change the model (the view turns gestures into undo commands).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from runtime.bypass import is_bypassed
from runtime.graph import Edge, Node
from runtime.wire_route import route
from studio.canvas import style

_TITLE = style.font(9.0, bold=True)
_BODY = style.font(8.0)
_SMALL = style.font(7.5)
LABEL_FONT = _SMALL
"""Font of the shape labels beside wires."""
_TITLE_METRICS = QFontMetricsF(_TITLE)
_SMALL_METRICS = QFontMetricsF(_SMALL)
_BODY_METRICS = QFontMetricsF(_BODY)


NODE_BOUNDS = QRectF(
    -style.NODE_W / 2 - 2,
    -style.NODE_H / 2 - style.PORT_R - 2,
    style.NODE_W + 4,
    style.NODE_H + 2 * (style.PORT_R + 2),
)
"""Every node item's bounding rectangle about its centre: the box, its ports, the selection."""


class NodeItem(QGraphicsItem):
    """A block: title, parameter summary, output shape; input ports on top, output port below."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node_id = node.id
        self.setFlags(
            QGraphicsItem.ItemIsSelectable
            | QGraphicsItem.ItemIsMovable
            | QGraphicsItem.ItemSendsGeometryChanges
        )
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.title = ""
        self.block_id = ""
        """The block's catalogue id (its zoomed-out label comes from it)."""
        self.flow = "down"
        """The project's flow direction: where the ports sit (runtime.layout.DIRECTIONS)."""
        self.name = ""
        self.summary = ""
        self.shape_text = ""
        self.error: str | None = None
        self.input_count = 1
        self.has_output = True
        self.fill = QColor()
        self.shade = 0.0
        self.bypassed = False
        self.moved_callback = None
        self.diff_mark: str | None = None
        """'added' or 'changed' while a comparison with a run is shown
        (studio.canvas.diff_marks)."""
        self._lines: list[tuple[QFont, QColor, QPointF, QStaticText]] | None = None
        self.update_from(node, connected=0)
        self.setPos(*node.pos)

    def update_from(self, node: Node, connected: int) -> None:
        """Refresh the texts and ports from the model node."""
        spec = node.spec
        self.prepareGeometryChange()
        self.title, self.name = spec.node_title, node.name
        self.block_id = spec.id
        self.full_title = spec.title
        self.bypassed = is_bypassed(node)
        self.summary = (
            "bypassed: runs as the identity" if self.bypassed else spec.describe(node.params)
        )
        self.fill = style.BYPASSED_FILL if self.bypassed else style.category_colour(spec.category)
        self.frozen = bool(node.extra.get("frozen"))
        if spec.max_inputs == 0:
            self.input_count = 0
        elif spec.variadic:
            self.input_count = connected + 1
        else:
            self.input_count = spec.max_inputs
        self.has_output = node.block != "output"
        self._lines = None
        if not self.error:
            self.setToolTip(self._plain_tooltip())
        self.update()

    def set_figures(self, shape_text: str, error: str | None, shade: float) -> None:
        """Show the analysed output shape, or the error in the error colour."""
        if (shape_text, error, shade) == (self.shape_text, self.error, self.shade):
            return
        self.shape_text, self.error, self.shade = shape_text, error, shade
        self._lines = None
        self.setToolTip(error or self._plain_tooltip())
        self.update()

    def _plain_tooltip(self) -> str:
        """The block's full title and the node's name (the node itself may show a short title)."""
        return f"{self.full_title} — {self.name}"

    # ----- geometry ------------------------------------------------------------------
    def in_port_pos(self, port: int) -> QPointF:
        """Local position of input port `port` (on top; on the left side when flowing right)."""
        share = (port + 1) / (max(self.input_count, 1) + 1)
        if self.flow == "right":
            return QPointF(-style.NODE_W / 2, -style.NODE_H / 2 + style.NODE_H * share)
        return QPointF(-style.NODE_W / 2 + style.NODE_W * share, -style.NODE_H / 2)

    def out_port_pos(self) -> QPointF:
        """Local position of the output port (below; on the right side when flowing right)."""
        if self.flow == "right":
            return QPointF(style.NODE_W / 2, 0.0)
        return QPointF(0.0, style.NODE_H / 2)

    def port_at(self, scene_pos: QPointF) -> tuple[str, int] | None:
        """('in', port) or ('out', 0) when `scene_pos` is on a port, else None."""
        local = self.mapFromScene(scene_pos)
        if self.has_output and _near(local, self.out_port_pos()):
            return ("out", 0)
        for port in range(self.input_count):
            if _near(local, self.in_port_pos(port)):
                return ("in", port)
        return None

    def boundingRect(self) -> QRectF:
        """Box plus port circles and the selection outline."""
        return QRectF(NODE_BOUNDS)

    def shape(self) -> QPainterPath:
        """Hit area: the box."""
        path = QPainterPath()
        path.addRect(self._box())
        return path

    @staticmethod
    def _box() -> QRectF:
        return QRectF(-style.NODE_W / 2, -style.NODE_H / 2, style.NODE_W, style.NODE_H)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        """Keep wires attached while the box is dragged."""
        if change == QGraphicsItem.ItemPositionHasChanged and self.moved_callback is not None:
            self.moved_callback(self.node_id)
        return super().itemChange(change, value)

    # ----- drawing -------------------------------------------------------------------
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """Box in the category (or error) colour, three lines of text, ports."""
        # Zoomed out below style.OVERVIEW_BELOW the view draws plain boxes instead
        # (studio.canvas.overview).
        box = self._box()
        border = (
            style.SELECT_BORDER
            if self.isSelected()
            else (style.ERROR_BORDER if self.error else style.BORDER)
        )
        width = 2.5 if self.isSelected() else 1.2
        if self.diff_mark and not self.isSelected():
            border, width = style.DIFF_BORDERS[self.diff_mark], 4.0
        painter.setPen(QPen(border, width))
        painter.setBrush(node_fill(self))
        painter.drawRoundedRect(box, 7, 7)
        self._paint_text(painter, box)
        if self.frozen:
            _paint_lock(painter, QPointF(box.left() + 9, box.top() + 4))
        painter.setPen(QPen(style.BORDER, 1))
        painter.setBrush(QColor("#ffffff"))
        for port in range(self.input_count):
            painter.drawEllipse(self.in_port_pos(port), style.PORT_R, style.PORT_R)
        if self.has_output:
            painter.setBrush(QColor("#455a64"))
            painter.drawEllipse(self.out_port_pos(), style.PORT_R, style.PORT_R)

    def _paint_text(self, painter: QPainter, box: QRectF) -> None:
        for font, colour, at, text in self._lines or self._lay_out_text(box):
            painter.setFont(font)
            painter.setPen(colour)
            painter.drawStaticText(at, text)

    def _lay_out_text(self, box: QRectF) -> list[tuple[QFont, QColor, QPointF, QStaticText]]:
        """Elide and place the three lines once per change (QStaticText keeps the glyph layout), not
        per paint."""
        inner = box.adjusted(8, 5, -8, -5)
        third = inner.height() / 3
        lock = 14 if self.frozen else 0  # room for the padlock of a frozen node
        room = inner.width() - 6 - lock
        # The title has the first claim on the line; the name (also in the tooltip) gives way.
        title_need = _TITLE_METRICS.horizontalAdvance(self.title) + 2
        name_width = min(
            _SMALL_METRICS.horizontalAdvance(self.name), max(room - title_need, room / 3)
        )
        name = _SMALL_METRICS.elidedText(self.name, Qt.ElideMiddle, int(name_width) + 2)
        title_width = int(room - name_width)
        title = _TITLE_METRICS.elidedText(self.title, Qt.ElideRight, title_width)
        shape = "⚠ error" if self.error else (f"→ {self.shape_text}" if self.shape_text else "")
        width = int(inner.width())
        lines = [
            (
                _SMALL,
                style.MUTED_TEXT,
                _SMALL_METRICS,
                0,
                name,
                inner.right() - _SMALL_METRICS.horizontalAdvance(name),
            ),
            (_TITLE, style.TEXT, _TITLE_METRICS, 0, title, inner.left() + lock),
            (
                _BODY,
                style.TEXT,
                _BODY_METRICS,
                1,
                _BODY_METRICS.elidedText(self.summary, Qt.ElideRight, width),
                inner.left(),
            ),
            (
                _BODY,
                style.TEXT,
                _BODY_METRICS,
                2,
                _BODY_METRICS.elidedText(shape, Qt.ElideRight, width),
                inner.left(),
            ),
        ]
        self._lines = []
        for font, colour, metrics, row, text, x in lines:
            static = QStaticText(text)
            static.setTextFormat(Qt.PlainText)
            static.prepare(QTransform(), font)
            y = inner.top() + row * third + (third - metrics.height()) / 2
            self._lines.append((font, colour, QPointF(x, y), static))
        return self._lines


class EdgeItem(QGraphicsItem):
    """A wire from an output port to an input port, labelled with the tensor shape it carries.

    It only takes clicks and rubber bands: studio.canvas.wires.WireLayer draws every wire at
    once."""

    def __init__(self, edge: Edge) -> None:
        super().__init__()
        self.edge = edge
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemHasNoContents)
        self.setZValue(-1)
        self.label = ""
        self._path = QPainterPath()
        self._hit = QPainterPath()
        self._rect = QRectF()
        self._label_rect = QRectF()

    def set_ends(self, start: QPointF, end: QPointF, flow: str = "down") -> QRectF:
        """Re-route between two scene points (an S-curve along the `flow`); returns the area to
        redraw."""
        before = self._rect
        self.prepareGeometryChange()
        path = QPainterPath(start)
        way = route((start.x(), start.y()), (end.x(), end.y()), flow)
        if way.curve is not None:
            _, one, two, _ = way.curve
            path.cubicTo(QPointF(*one), QPointF(*two), end)
        else:
            for point in way.points[1:]:
                path.lineTo(QPointF(*point))
        self._path = path
        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        self._hit = stroker.createStroke(path)
        mid = path.pointAtPercent(0.5)
        self._label_rect = QRectF(mid.x() + 6, mid.y() - 8, 84, 16)
        self._rect = path.boundingRect().adjusted(-4, -4, 4, 4).united(self._label_rect)
        return before.united(self._rect)

    def set_label(self, text: str) -> bool:
        """The shape shown beside the wire; True when it changed."""
        if text == self.label:
            return False
        self.label = text
        return True

    def path(self) -> QPainterPath:
        """The wire's curve in scene coordinates."""
        return self._path

    def label_rect(self) -> QRectF:
        """Where the label is drawn, in scene coordinates."""
        return self._label_rect

    def boundingRect(self) -> QRectF:
        """The curve plus its label."""
        return self._rect

    def shape(self) -> QPainterPath:
        """Hit area: a band around the curve."""
        return self._hit

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """Nothing: the wire layer draws this wire (Qt does not call this for an item without
        contents)."""


class WireItem(QGraphicsItem):
    """The wire being dragged from a port: green where it may connect, red where it is refused."""

    def __init__(self, start: QPointF) -> None:
        super().__init__()
        self.start = start
        self.end = start
        self.colour = style.WIRE
        self.setZValue(10)

    def set_end(self, end: QPointF, colour: QColor) -> None:
        """Follow the mouse."""
        self.prepareGeometryChange()
        self.end, self.colour = end, colour
        self.update()

    def boundingRect(self) -> QRectF:
        """Box spanned by both ends."""
        return QRectF(self.start, self.end).normalized().adjusted(-40, -40, 40, 40)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """A dashed S-curve."""
        path = QPainterPath(self.start)
        dy = max(abs(self.end.y() - self.start.y()) * 0.5, 30.0)
        sign = 1 if self.end.y() >= self.start.y() else -1
        path.cubicTo(
            QPointF(self.start.x(), self.start.y() + sign * dy),
            QPointF(self.end.x(), self.end.y() - sign * dy),
            self.end,
        )
        painter.setPen(QPen(self.colour, 2.2, Qt.DashLine))
        painter.drawPath(path)


def _paint_lock(painter: QPainter, at: QPointF) -> None:
    """A small padlock (a frozen node): shackle arc over a filled body, top-left at `at`."""
    painter.setPen(QPen(style.TEXT, 1.4))
    painter.setBrush(Qt.NoBrush)
    painter.drawArc(QRectF(at.x() + 1.5, at.y(), 7, 8), 0, 180 * 16)
    painter.setPen(Qt.NoPen)
    painter.setBrush(style.TEXT)
    painter.drawRoundedRect(QRectF(at.x(), at.y() + 4, 10, 7.5), 1.5, 1.5)


def _near(a: QPointF, b: QPointF) -> bool:
    return (a.x() - b.x()) ** 2 + (a.y() - b.y()) ** 2 <= style.PORT_HIT**2


def node_fill(item: NodeItem) -> QColor:
    """A node's fill: the error colour, or its category colour shaded by its share of the cost."""
    if item.error:
        return style.ERROR_FILL
    return item.fill if item.bypassed else _shaded(item.fill, item.shade)


def _shaded(base: QColor, share: float) -> QColor:
    if share <= 0:
        return base
    t = min(1.0, share)
    return QColor(
        int(base.red() + (style.SHADE.red() - base.red()) * t),
        int(base.green() + (style.SHADE.green() - base.green()) * t),
        int(base.blue() + (style.SHADE.blue() - base.blue()) * t),
    )
