"""What the editing and file commands need from the editor, instead of the whole main window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QWidget

from studio.canvas.scene import GraphScene
from studio.canvas.view import GraphView
from studio.document import Document


@dataclass(frozen=True)
class EditorContext:
    """The document, the canvas (scene and view), the selection, and where to tell the user
    things."""

    doc: Document
    scene: GraphScene
    view: GraphView
    parent: QWidget
    """Owner of dialogs and menus."""
    status: Callable[[str], None]
    """Show a line in the status bar (empty clears it)."""
    tell: Callable[[str, str], None]
    """Show a message box: title, message."""

    def selected_node_ids(self) -> list[str]:
        """The selected nodes' ids, in graph order."""
        return self.scene.selected_node_ids()

    def select_nodes(self, ids: list[str], centre: bool = False) -> None:
        """Select exactly these nodes (canvas, inspector and table follow); optionally centre on
        them."""
        self.scene.select_nodes(ids)
        if centre and ids and ids[0] in self.scene.nodes:
            self.view.centerOn(self.scene.nodes[ids[0]])

    def canvas_centre(self) -> QPointF:
        """The scene point at the centre of the canvas."""
        return self.view.mapToScene(self.view.viewport().rect().center())
