"""Zoomed-out drawing: every node and wire in a handful of batched paint calls.

Below `OVERVIEW_BELOW` zoom the full node text can no longer be read, yet each node and wire
item costs a Python paint call (about 15 µs each: 8 ms for 500 nodes). There the view paints the
scene through `Overview` instead: the wire layer, then boxes grouped by colour in one call per
colour. The items stay in the scene untouched, so clicks, rubber bands and drags work exactly as
when zoomed in.
Semantic zoom: down to `style.TITLES_FROM` each box still shows its block's title, in a font
scaled to stay `style.TITLE_MIN_PX` high on screen; below that the boxes are plain. Groups follow
the same levels: a frame's name and a collapsed box's name (and figures, where they fit) are
written in the same legible size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QStaticText, QTransform

from studio.canvas import style
from studio.canvas.abbreviations import fitting_label
from studio.canvas.group_item import BOX_FILL, FRAME_BORDER, FRAME_FILL, TITLE_H
from studio.canvas.items import node_fill
from studio.canvas.wires import pen

if TYPE_CHECKING:
    from studio.canvas.scene import GraphScene

OVERVIEW_BELOW = style.OVERVIEW_BELOW

BODY_MIN_PX = style.TITLE_MIN_PX - 1
"""Height on screen of a collapsed group's figure lines (under its name) in the overview."""
TAB_FILL = QColor(197, 202, 233)
"""Behind a frame's name in the overview: the name stays readable over wires and blocks."""
TitleSpot = tuple[QRectF, QPointF, QStaticText]
"""A block's box, where its title's top-left goes, and the laid-out title."""
BoxGroup = tuple[QColor, QColor, float, list[QRectF]]


class Overview:
    """Draws a GraphScene's nodes as plain boxes over its wires; caches the boxes until told."""

    def __init__(self, scene: "GraphScene") -> None:
        self.graph_scene = scene
        self._boxes: list[BoxGroup] | None = None
        self._titles: list[TitleSpot] | None = None
        self._title_px = 0
        self._statics: dict[tuple[str, str], QStaticText] = {}

    def invalidate(self) -> None:
        """Forget the cached drawing (after a move, an edit, a selection or new figures)."""
        self._boxes = None
        self._titles = None

    def paint(self, painter: QPainter, exposed: QRectF, zoom: float) -> None:
        """Wires (through the scene's wire layer), then boxes; `painter` maps scene coordinates."""
        if self.graph_scene.wires is not None:
            self.graph_scene.wires.draw(painter, exposed, zoom)
        painter.setRenderHint(QPainter.Antialiasing, False)
        frames = [
            f for g in self.graph_scene.groups.values() if not g.collapsed for f in g.frame_rects()
        ]
        if frames:
            painter.setBrush(FRAME_FILL)
            painter.setPen(pen(FRAME_BORDER, 1.0, cosmetic=True))
            painter.drawRects(frames)
        for fill, border, width, rects in self._boxes or self._build_boxes():
            painter.setBrush(fill)
            painter.setPen(pen(border, width, cosmetic=True))
            painter.drawRects(rects)
        if zoom >= style.TITLES_FROM:
            self._paint_titles(painter, exposed, zoom)
            self._paint_group_titles(painter, exposed, zoom)

    def _paint_titles(self, painter: QPainter, exposed: QRectF, zoom: float) -> None:
        """Each visible box's title, centred, elided to the box, legible at this zoom."""
        px = max(12, round(min(style.NODE_H * 0.6, style.TITLE_MIN_PX / zoom)))
        painter.setFont(self._title_font(px))
        painter.setPen(style.TEXT)
        painter.setRenderHint(QPainter.TextAntialiasing, True)
        for box, at, text in self._titles or self._place_titles(px):
            if box.intersects(exposed):
                painter.drawStaticText(at, text)

    def _title_font(self, px: int) -> QFont:
        font = QFont()
        font.setPixelSize(px)
        font.setBold(True)
        if self._title_px != px:  # another zoom: lay the titles out again
            self._title_px, self._titles, self._statics = px, None, {}
        return font

    def _place_titles(self, px: int) -> list[TitleSpot]:
        """Where each shown block's title goes at font size `px`, laid out once per zoom level
        and graph change (a QStaticText per distinct title: many blocks share one), not per
        paint."""
        font = self._title_font(px)
        metrics = QFontMetricsF(font)
        w, h = style.NODE_W, style.NODE_H
        spots = []
        for item in self.graph_scene.nodes.values():
            if not item.isVisible():
                continue  # inside a collapsed group
            key = (item.title, item.block_id)
            text = self._statics.get(key)
            if text is None:
                label = fitting_label(item.title, item.block_id, w - 8, metrics.horizontalAdvance)
                shown = metrics.elidedText(label, Qt.ElideMiddle, w - 8)
                text = self._statics[key] = QStaticText(shown)
                text.setTextFormat(Qt.PlainText)
                text.prepare(QTransform(), font)
            size = text.size()
            pos = item.pos()
            box = QRectF(pos.x() - w / 2, pos.y() - h / 2, w, h)
            at = QPointF(pos.x() - size.width() / 2, pos.y() - size.height() / 2)
            spots.append((box, at, text))
        self._titles = spots
        return spots

    def _paint_group_titles(self, painter: QPainter, exposed: QRectF, zoom: float) -> None:
        """Each group's name as legible as the block titles: on a tab at the top of an expanded
        frame (growing upwards out of the frame when the zoom is low), centred in a collapsed
        box, with the box's figures below the name when they fit."""
        px = style.TITLE_MIN_PX / zoom
        title = QFont()
        title.setPixelSize(max(1, round(max(TITLE_H - 5, px))))
        title.setBold(True)
        metrics = QFontMetricsF(title)
        body = QFont()
        body.setPixelSize(max(1, round(max(11.0, BODY_MIN_PX / zoom))))
        body_metrics = QFontMetricsF(body)
        for group in self.graph_scene.groups.values():
            if group.collapsed:
                box = group.box().translated(group.pos()).adjusted(8, 4, -8, -4)
                if box.intersects(exposed):
                    self._paint_box_text(
                        painter, group, box, (title, metrics), (body, body_metrics)
                    )
                continue
            for strip, name in group.titles():
                if strip.intersects(exposed.adjusted(0, -px, 0, 0)):
                    self._paint_tab(painter, strip, name, title, metrics)

    @staticmethod
    def _paint_tab(
        painter: QPainter, strip: QRectF, name: str, font: QFont, metrics: QFontMetricsF
    ) -> None:
        """A frame's name on a tab standing on the frame's title strip."""
        text = metrics.elidedText(name, Qt.ElideRight, strip.width() - 12)
        height = max(strip.height(), metrics.height())
        tab = QRectF(
            strip.left(), strip.bottom() - height, metrics.horizontalAdvance(text) + 12, height
        )
        painter.setPen(Qt.NoPen)
        painter.setBrush(TAB_FILL)
        painter.drawRect(tab)
        painter.setFont(font)
        painter.setPen(FRAME_BORDER.darker(140))
        painter.drawText(tab.adjusted(6, 0, -6, 0), Qt.AlignLeft | Qt.AlignVCenter, text)

    @staticmethod
    def _paint_box_text(painter: QPainter, group, box: QRectF, title, body) -> None:
        """A collapsed group's name, then as many of its figure lines as fit the box."""
        (title_font, title_metrics), (body_font, body_metrics) = title, body
        labels = ("in ", "out ", "")
        lines = [label + line for label, line in zip(labels, group.lines) if line]
        room = int((box.height() - title_metrics.height()) // body_metrics.height())
        lines = lines[: max(0, room)]
        top = box.center().y() - (title_metrics.height() + len(lines) * body_metrics.height()) / 2
        painter.setFont(title_font)
        painter.setPen(style.TEXT)
        at = QRectF(box.left(), top, box.width(), title_metrics.height())
        painter.drawText(
            at, Qt.AlignCenter, title_metrics.elidedText(group.name, Qt.ElideRight, box.width())
        )
        painter.setFont(body_font)
        for line in lines:
            at = at.translated(0, at.height())
            at.setHeight(body_metrics.height())
            painter.drawText(
                at, Qt.AlignCenter, body_metrics.elidedText(line, Qt.ElideRight, box.width())
            )

    def _build_boxes(self) -> list[BoxGroup]:
        groups: dict[tuple[int, int, float], BoxGroup] = {}
        w, h = style.NODE_W, style.NODE_H
        for group in self.graph_scene.groups.values():
            if group.collapsed:
                border = style.SELECT_BORDER if group.isSelected() else FRAME_BORDER
                boxes = groups.setdefault(
                    (BOX_FILL.rgba(), border.rgba(), 2.0), (BOX_FILL, border, 2.0, [])
                )
                boxes[3].append(group.box().translated(group.pos()))
        for item in self.graph_scene.nodes.values():
            if not item.isVisible():
                continue
            fill = node_fill(item)
            if item.isSelected():
                border, width = style.SELECT_BORDER, 2.0
            else:
                border, width = (style.ERROR_BORDER if item.error else style.BORDER), 1.0
            group = groups.setdefault(
                (fill.rgba(), border.rgba(), width), (fill, border, width, [])
            )
            pos = item.pos()
            group[3].append(QRectF(pos.x() - w / 2, pos.y() - h / 2, w, h))
        self._boxes = list(groups.values())
        return self._boxes
