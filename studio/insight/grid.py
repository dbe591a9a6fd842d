"""A grid of captioned thumbnails (patches, mistakes)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from studio.insight.images import pixmap


class ThumbnailGrid(QWidget):
    """Pictures with a caption under each, `columns` to a row."""

    def __init__(self, columns: int = 3, side: int = 110, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns, self.side = columns, side
        self.grid = QGridLayout(self)
        self.grid.setSpacing(10)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.cells: list[QWidget] = []

    def set_items(self, items: list[tuple[np.ndarray, str]]) -> None:
        """Show (uint8 H×W×3, caption) pairs in order."""
        for cell in self.cells:
            cell.deleteLater()
        self.cells = []
        for i, (rgb, caption) in enumerate(items):
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            picture = QLabel()
            picture.setPixmap(pixmap(rgb, self.side))
            picture.setFixedSize(picture.pixmap().size() + QSize(2, 2))
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            picture.setStyleSheet("border: 1px solid palette(mid);")
            text = QLabel(caption)
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
            text.setWordWrap(True)
            box.addWidget(picture)
            box.addWidget(text)
            self.grid.addWidget(cell, i // self.columns, i % self.columns)
            self.cells.append(cell)
