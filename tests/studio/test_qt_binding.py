"""The installed Qt binding keeps Python's reference counts intact.

PySide6-Essentials 6.12.0 drops a reference to None on every call of a method that returns
nothing. On Python 3.11, where None is not immortal, an editor session that paints long enough
aborts with "none_dealloc"; pyproject.toml excludes that release and this test keeps it out.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen


def test_void_painter_calls_leave_none_referenced(qapp):
    image = QImage(16, 16, QImage.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(2000):
            painter.setPen(QPen(QColor("#123456"), 1.5))
            painter.setBrush(Qt.NoBrush)
            painter.drawEllipse(QPointF(8, 8), 3, 3)
        lost = before - sys.getrefcount(None)
    finally:
        painter.end()
    assert lost < 100, (
        f"{lost} references to None lost in 6,000 painter calls: a broken PySide6 build"
    )
