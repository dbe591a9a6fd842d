"""What the canvas tells the user on top of the graph: a hint on an empty canvas, and the legend of
the "Shade Nodes By" mode (what the orange means, from none to the largest node's share)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPen

from runtime.format import compact, count_text
from studio.canvas import style

if TYPE_CHECKING:
    from studio.canvas.scene import GraphScene

EMPTY_HINT = (
    "Drag blocks here from the palette (or double-click one there),\n"
    "or start from a network in the Templates menu."
)
LEGEND_W, LEGEND_H = 300.0, 58.0
MODE_TEXT = {"params": "Shaded by share of parameters", "macs": "Shaded by share of multiply-adds"}
_HINT_FONT = QFont()
_HINT_FONT.setPointSizeF(12)


def legend_lines(scene: "GraphScene") -> tuple[str, str, str] | None:
    """(title, low end, high end) of the legend; None when nodes are not shaded by cost."""
    if scene.shade_mode not in MODE_TEXT or scene.node_shades is not None:
        return None
    analysis = scene.doc.analysis
    figures = list(analysis.nodes.values())
    if not figures:
        return None
    key = "params" if scene.shade_mode == "params" else "macs"
    top = max(figures, key=lambda f: getattr(f, key))
    value = getattr(top, key)
    text = count_text(value) if key == "params" else compact(value)
    return MODE_TEXT[scene.shade_mode], "0", f"{text} ({top.name})"


def draw_hints(painter: QPainter, scene: "GraphScene", width: int, height: int) -> None:
    """Draw in viewport pixels (`painter` without a scene transform) on a `width`×`height` view."""
    if not scene.nodes:
        painter.setFont(_HINT_FONT)
        painter.setPen(QColor("#90a4ae"))
        painter.drawText(QRectF(0, 0, width, height), Qt.AlignCenter, EMPTY_HINT)
        return
    lines = legend_lines(scene)
    if lines is None:
        return
    title, low, high = lines
    box = QRectF(12, height - LEGEND_H - 12, LEGEND_W, LEGEND_H)
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setPen(QPen(style.BORDER, 1))
    painter.setBrush(QColor(255, 255, 255, 235))
    painter.drawRoundedRect(box, 6, 6)
    painter.setPen(style.LABEL)
    painter.drawText(box.adjusted(10, 4, -10, 0), Qt.AlignLeft | Qt.AlignTop, title)
    bar = QRectF(box.left() + 10, box.top() + 24, box.width() - 20, 10)
    gradient = QLinearGradient(bar.topLeft(), bar.topRight())
    gradient.setColorAt(0.0, QColor("#ffffff"))
    gradient.setColorAt(1.0, style.SHADE)
    painter.setBrush(gradient)
    painter.setPen(QPen(style.BORDER, 1))
    painter.drawRect(bar)
    painter.setPen(style.LABEL)
    below = QRectF(bar.left(), bar.bottom() + 2, bar.width(), 16)
    painter.drawText(below, Qt.AlignLeft | Qt.AlignTop, low)
    painter.drawText(below, Qt.AlignRight | Qt.AlignTop, high)
