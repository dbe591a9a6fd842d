"""Colours, fonts and sizes of the canvas, in one place."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

NODE_W = 176.0
NODE_H = 58.0
PORT_R = 5.5
PORT_HIT = 11.0

OVERVIEW_BELOW = 0.6
"""Zoom under which a node's title would be under 7 px high and its other lines unreadable: the
view paints an overview of titled boxes instead (studio.canvas.overview)."""
TITLES_FROM = 0.16
"""Zoom from which the overview still writes each block's title (sized to stay legible)."""
TITLE_MIN_PX = 8.0
"""Height on screen, in pixels, of an overview title."""
SMOOTH_WIRES_FROM = 0.75
"""Zoom from which wires are antialiased; below it they are crisp one-pixel lines."""

CATEGORY_COLOURS: dict[str, str] = {
    "Input/Output": "#d9d9d9",
    "Convolution": "#a9cdf2",
    "Normalization": "#c4e6b5",
    "Pooling": "#f7d59b",
    "Activation": "#f5b7b1",
    "Regularization & shape": "#d7c6ec",
    "Merge": "#a6e3dc",
    "Blocks": "#f2c6e0",
    "My blocks": "#f0d9b5",
}
"""Node fill colour per palette category."""

ERROR_FILL = QColor("#ff8a80")
BYPASSED_FILL = QColor("#bdbdbd")
"""A bypassed node (ablation) is drawn greyed out."""
ERROR_BORDER = QColor("#c62828")
DIFF_BORDERS = {"added": QColor("#2e7d32"), "changed": QColor("#ef6c00")}
"""Node borders while the graph is compared with a run: nodes the run lacks, nodes that differ."""
SELECT_BORDER = QColor("#1565c0")
BORDER = QColor("#5f6368")
TEXT = QColor("#202124")
MUTED_TEXT = QColor("#3c4043")
WIRE = QColor("#43484c")  # dark enough to read at one pixel
WIRE_SELECTED = QColor("#1565c0")
WIRE_OK = QColor("#2e7d32")
WIRE_BAD = QColor("#d50000")
LABEL = QColor("#37474f")
SHADE = QColor("#ff6d00")
BACKGROUND = QColor("#fafafa")
GRID = QColor("#ececec")


def category_colour(category: str) -> QColor:
    """The fill colour of a block category."""
    return QColor(CATEGORY_COLOURS.get(category, "#e0e0e0"))


def font(size: float, bold: bool = False) -> QFont:
    """A UI font of `size` points."""
    f = QFont()
    f.setPointSizeF(size)
    f.setBold(bold)
    return f
