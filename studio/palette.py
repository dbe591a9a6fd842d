"""The block palette: categories from the catalogue, a search box, drag to the canvas or
double-click."""

from __future__ import annotations

import html

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from blocks import CATEGORIES, all_specs
from studio.canvas.view import BLOCK_MIME

BLOCK_ROLE = Qt.UserRole + 1
USER_CATEGORY = "My blocks"
"""The palette group of the user's own blocks (filled from the block library, not the catalogue)."""


class PaletteTree(QTreeWidget):
    """The category tree; dragging an entry carries its block id."""

    def __init__(self) -> None:
        super().__init__()
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QTreeWidget.DragOnly)

    def mimeTypes(self) -> list[str]:
        """The block payload type."""
        return [BLOCK_MIME]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:
        """The dragged entry's block id."""
        mime = QMimeData()
        block = items[0].data(0, BLOCK_ROLE) if items else None
        if block:
            mime.setData(BLOCK_MIME, block.encode("utf-8"))
        return mime

    def startDrag(self, actions: Qt.DropActions) -> None:
        """Drag a block entry (categories are not draggable)."""
        item = self.currentItem()
        if item is None or not item.data(0, BLOCK_ROLE):
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.exec(Qt.CopyAction)


class Palette(QWidget):
    """Search box over a tree of every block type, grouped by category; tooltips explain each
    block."""

    add_requested = Signal(str)
    """A block id the user double-clicked (add it at the canvas centre)."""
    user_block_menu = Signal(str, QPoint)
    """A right click on one of the user's own blocks: its id and the global point."""

    def __init__(self) -> None:
        super().__init__()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search blocks…")
        self.search.setClearButtonEnabled(True)
        self.tree = PaletteTree()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.user_group = QTreeWidgetItem([USER_CATEGORY])
        self.user_group.setFlags(Qt.ItemIsEnabled)
        self._populate()
        self.search.textChanged.connect(self.filter)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)

    def _populate(self) -> None:
        groups: dict[str, QTreeWidgetItem] = {}
        for category in CATEGORIES:
            group = QTreeWidgetItem([category])
            group.setFlags(Qt.ItemIsEnabled)
            groups[category] = group
        for spec in all_specs():
            if spec.category == USER_CATEGORY:
                continue  # the library's blocks are listed by show_user_blocks
            asks = spec.id == "custom_module"  # asks for its code first: "…"
            entry = QTreeWidgetItem([f"{spec.title}…" if asks else spec.title])
            entry.setData(0, BLOCK_ROLE, spec.id)
            entry.setToolTip(0, _wrap(spec.explanation))
            entry.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
            groups[spec.category].addChild(entry)
        for category in CATEGORIES:
            if groups[category].childCount():
                self.tree.addTopLevelItem(groups[category])
        self.tree.addTopLevelItem(self.user_group)
        self.user_group.setHidden(True)
        self.tree.expandAll()

    def show_user_blocks(self, entries: list[tuple[str, str, str]], problems: list[str]) -> None:
        """List the user's blocks as (id, title, tooltip) and, below them, one greyed line per
        library file that could not be loaded (its full reason in the tooltip)."""
        self.user_group.takeChildren()
        if not entries:
            hint = QTreeWidgetItem(["None yet (Ctrl+Shift+B)"])
            hint.setToolTip(
                0,
                _wrap(
                    "Your own blocks appear here. Select the layers of a block on the canvas "
                    "(one way in, one way out) and choose Edit ▸ Save Selection as Block… "
                    "(Ctrl+Shift+B), or right-click a group's title and choose Save Group as "
                    "Block…"
                ),
            )
            hint.setFlags(Qt.ItemIsEnabled)
            hint.setForeground(0, Qt.gray)
            self.user_group.addChild(hint)
        for block_id, title, tooltip in entries:
            entry = QTreeWidgetItem([title])
            entry.setData(0, BLOCK_ROLE, block_id)
            entry.setToolTip(0, tooltip)
            entry.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
            self.user_group.addChild(entry)
        for line in problems:
            entry = QTreeWidgetItem([f"⚠ {line.rsplit('/', 1)[-1]}"])
            entry.setToolTip(0, _wrap(line))
            entry.setFlags(Qt.ItemIsEnabled)
            entry.setForeground(0, Qt.darkRed)
            self.user_group.addChild(entry)
        self.user_group.setExpanded(True)
        self.filter(self.search.text())

    def _context_menu(self, point: QPoint) -> None:
        item = self.tree.itemAt(point)
        block = item.data(0, BLOCK_ROLE) if item is not None else None
        if block and item.parent() is self.user_group:
            self.user_block_menu.emit(block, self.tree.viewport().mapToGlobal(point))

    def names_width(self) -> int:
        """The palette's width at which every block's name shows in full (no '…')."""
        tree = self.tree
        margins = self.layout().contentsMargins()
        return (
            tree.sizeHintForColumn(0)
            + tree.verticalScrollBar().sizeHint().width()
            + 2 * tree.frameWidth()
            + margins.left()
            + margins.right()
        )

    def filter(self, text: str) -> None:
        """Show only entries whose title, id or category contains every typed word."""
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                entry = group.child(j)
                hay = (
                    f"{entry.text(0)} {entry.data(0, BLOCK_ROLE)} {group.text(0)}".lower().replace(
                        "_", " "
                    )
                )
                visible = all(w in hay for w in words)
                entry.setHidden(not visible)
                shown += visible
            group.setHidden(shown == 0)

    def visible_blocks(self) -> list[str]:
        """Block ids currently shown (after filtering)."""
        found = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            found += [
                group.child(j).data(0, BLOCK_ROLE)
                for j in range(group.childCount())
                if not group.child(j).isHidden()
                and not group.isHidden()
                and group.child(j).data(0, BLOCK_ROLE)
            ]
        return found

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        block = item.data(0, BLOCK_ROLE)
        if block:
            self.add_requested.emit(block)


def _wrap(text: str, width: int = 60) -> str:
    """Rich-text tooltip so Qt wraps long explanations."""
    return f"<p style='white-space:pre-wrap; max-width:{width}ch'>{html.escape(text)}</p>"
