"""The surface the editor offers to plug-ins (the training UI is one): panels, menus, the document,
the selection, and the status bar. A plug-in is a function that takes an EditorHost."""

from __future__ import annotations

from typing import Callable, Protocol

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import QDockWidget, QMenuBar, QWidget

from runtime.project import Project
from studio.document import Document
from studio.paths import AppPaths


class EditorHost(Protocol):
    """What a plug-in may use of the editor window."""

    paths: AppPaths
    """The app's settings file and data folder (untitled projects record their runs there)."""
    docks: dict[str, QDockWidget]
    """Every panel's dock, by object name."""
    selection_changed: SignalInstance
    """Emitted with the selected node ids whenever the selection changes."""
    project_replaced: SignalInstance
    """Emitted after New, Open, Template or Recover made another project the live one."""

    def add_panel(
        self,
        title: str,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        object_name: str,
        tab: bool = True,
    ) -> QDockWidget:
        """Add `widget` as a dock panel (a tab beside the area's first dock, or a place of its
        own)."""

    def resize_panels(
        self, names: list[str], sizes: list[int], orientation: Qt.Orientation
    ) -> None:
        """Give the named panels these sizes along `orientation`."""

    def menuBar(self) -> QMenuBar:
        """The window's menu bar (a plug-in adds its own menu)."""

    def document(self) -> Document:
        """The document: the live project, its undo stack and every undoable edit."""

    def current_project(self) -> Project:
        """The live project (copy it before training on it)."""

    def selected_node_ids(self) -> list[str]:
        """The selected nodes' ids, in graph order."""

    def show_status(self, message: str) -> None:
        """Show a message in the status bar (empty clears it)."""

    def dialog_folder(self) -> str:
        """Where file dialogs start: the project's folder (or the last one used when unsaved)."""


Plugin = Callable[[EditorHost], object]
"""Installs itself into an editor window."""
