"""Small pictures of template networks, drawn from the graph itself (boxes in their category
colours,
wires between them) and cached in memory and as PNG files keyed by the template file's content."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from runtime.errors import ConvStudioError
from runtime.project import load_project
from studio.canvas import style
from studio.image_file import save_png

THUMB_W, THUMB_H = 150, 190
_MEMORY: dict[str, QImage] = {}


def thumbnail(template: Path, cache_dir: Path | None = None) -> QImage:
    """The template's picture: from memory, else from the PNG cache, else drawn (and cached)."""
    key = f"{template.stem}-{hashlib.sha1(template.read_bytes()).hexdigest()[:12]}"
    cached = cache_dir / f"{key}.png" if cache_dir is not None else None
    image = _MEMORY.get(key)
    if image is None and cached is not None and cached.is_file():
        image = QImage(str(cached))
    if image is None or image.isNull():
        image = draw_thumbnail(template)
    _MEMORY[key] = image
    if cached is not None and not cached.is_file():
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            save_png(image, cached)
        except (OSError, ConvStudioError):
            pass  # a cache that cannot be written only costs drawing the picture again
    return image


def draw_thumbnail(template: Path) -> QImage:
    """Draw the template's graph at its canvas positions, scaled to fit THUMB_W × THUMB_H."""
    image = QImage(THUMB_W, THUMB_H, QImage.Format_ARGB32)
    image.fill(style.BACKGROUND)
    try:
        graph = load_project(template).graph
    except ConvStudioError:
        return image
    if not graph.nodes:
        return image
    xs = [n.pos[0] for n in graph.nodes.values()]
    ys = [n.pos[1] for n in graph.nodes.values()]
    w, h = style.NODE_W, style.NODE_H
    box = QRectF(min(xs) - w / 2, min(ys) - h / 2, max(xs) - min(xs) + w, max(ys) - min(ys) + h)
    scale = min((THUMB_W - 8) / box.width(), (THUMB_H - 8) / box.height())
    left = (THUMB_W - box.width() * scale) / 2
    top = (THUMB_H - box.height() * scale) / 2

    def at(x: float, y: float) -> QPointF:
        return QPointF(left + (x - box.left()) * scale, top + (y - box.top()) * scale)

    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setPen(QPen(style.WIRE, 1))
    for edge in graph.edges:
        a, b = graph.nodes[edge.src].pos, graph.nodes[edge.dst].pos
        painter.drawLine(at(*a), at(*b))
    painter.setPen(QPen(style.BORDER, 0.6) if scale * w > 12 else Qt.NoPen)
    for node in graph.nodes.values():
        painter.setBrush(QColor(style.category_colour(node.spec.category)))
        corner = at(node.pos[0] - w / 2, node.pos[1] - h / 2)
        painter.drawRect(QRectF(corner.x(), corner.y(), max(2.0, w * scale), max(1.5, h * scale)))
    painter.end()
    return image
