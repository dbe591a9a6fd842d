"""The ConvStudio main window: canvas with palette, inspector, analysis and problems docks.

Plug-ins (e.g. studio.training) see the window through studio.plugins.EditorHost.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from runtime.project import Project
from runtime.project_events import ProjectRenamed
from studio.actions import build_actions, build_menus, keys_of_text_fields
from studio.analysis_table import AnalysisPanel
from studio.canvas.minimap import Minimap
from studio.canvas.scene import GraphScene
from studio.canvas.view import GraphView
from studio.context import EditorContext
from studio.document import Document, refusal_text
from studio.editing import Editing
from studio.grouping import Grouping
from studio.files import Files
from studio.inspector import Inspector
from studio.palette import Palette
from studio.paths import AppPaths
from studio.problems import ProblemsPanel
from studio.recovery import Autosaver
from studio.shortcuts import TypingGuard
from studio.user_blocks import UserBlocks

if TYPE_CHECKING:
    from studio.template_gallery import TemplateGallery

STATE_VERSION = 1


class MainWindow(QMainWindow):
    """The editor window; every edit goes through the document's undo stack."""

    selection_changed = Signal(list)
    """Emitted with the selected node ids whenever the selection changes."""
    project_replaced = Signal()
    """Emitted after New, Open, Template or Recover made another project the live one."""

    def __init__(self, paths: AppPaths, project: Project | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.settings = paths.settings()
        self.doc = Document(project or Project(), self)
        self.scene = GraphScene(self.doc)
        self.view = GraphView(self.scene)
        self.ctx = EditorContext(
            self.doc,
            self.scene,
            self.view,
            self,
            self.show_status,
            lambda title, message: self.tell(title, message),
        )
        self.autosaver = Autosaver(self.doc, paths.data_dir)
        self.editing = Editing(self.ctx)
        self.grouping = Grouping(self.ctx)
        self.files = Files(self.ctx, self.settings, self.autosaver, self.update_title)
        self.actions_by_name = build_actions(self, self, self.doc.undo_stack)
        build_menus(self, self.menuBar(), self.actions_by_name)
        self.typing_guard = TypingGuard(keys_of_text_fields(self.actions_by_name), self)
        self.installEventFilter(self.typing_guard)
        self.setCentralWidget(self.view)
        self.setDockNestingEnabled(True)
        self.palette = Palette()
        self.inspector = Inspector(self.doc)
        self.analysis_panel = AnalysisPanel(self.doc)
        self.problems = ProblemsPanel(self.doc)
        self.docks: dict[str, QDockWidget] = {}
        self.add_panel("Palette", self.palette, Qt.LeftDockWidgetArea, "palette")
        self.add_panel("Inspector", self.inspector, Qt.RightDockWidgetArea, "inspector")
        self.add_panel("Analysis", self.analysis_panel, Qt.BottomDockWidgetArea, "analysis")
        self.add_panel("Problems", self.problems, Qt.BottomDockWidgetArea, "problems")
        self.user_blocks = UserBlocks(self.ctx, self.palette, paths.data_dir)
        self.grouping.save_as_block = self.user_blocks.save_group
        self.minimap = Minimap(self.view)
        self.add_panel("Overview", self.minimap, Qt.RightDockWidgetArea, "overview", tab=False)
        self._connect()
        self.setAcceptDrops(True)
        self._size_to_screen()
        self.update_title()

    def showEvent(self, event) -> None:
        """On the first show: give the docks their share (they settle only once shown), then
        fit the graph to the canvas."""
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            QTimer.singleShot(0, self._first_show)

    def _first_show(self) -> None:
        if not getattr(self, "_state_restored", False):
            self._size_docks()
        self.view.fit()

    def _size_to_screen(self) -> None:
        """About 90 % of the screen, centred; the canvas gets most of it, the bottom docks 30 %."""
        screen = self.screen().availableGeometry()
        width, height = round(screen.width() * 0.9), round(screen.height() * 0.9)
        self.resize(width, height)
        self.move(screen.center() - self.rect().center())
        self._size_docks()

    def _size_docks(self) -> None:
        """Side docks narrow (the palette as wide as its longest name), the overview small, the
        bottom docks 30 % of the height."""
        width, height = self.width(), self.height()
        self.resizeDocks(
            [self.docks["palette"], self.docks["inspector"]],
            [max(220, width // 7, self.palette.names_width()), max(280, width // 6)],
            Qt.Horizontal,
        )
        self.resizeDocks([self.docks["overview"]], [max(150, height // 5)], Qt.Vertical)
        self.resizeDocks([self.docks["analysis"]], [round(height * 0.3)], Qt.Vertical)

    def _connect(self) -> None:
        problems_dock = self.docks["problems"]
        self.problems.counted.connect(
            lambda n: problems_dock.setWindowTitle(f"Problems ({n})" if n else "Problems")
        )
        self.scene.selectionChanged.connect(self._scene_selection)
        self.analysis_panel.node_activated.connect(self._rows_chosen)
        self.problems.node_chosen.connect(lambda nid: self.select_nodes([nid], centre=True))
        self.palette.add_requested.connect(lambda block: self.editing.add_from_palette(block))
        self.view.block_dropped.connect(
            lambda block, pos: self.editing.add_from_palette(block, pos)
        )
        self.view.files_dropped.connect(self.files.open_dropped)
        self.view.status.connect(self.show_status)
        self.view.context_menu_requested.connect(
            lambda node_id, where: self.editing.context_menu(node_id, where, self.actions_by_name)
        )
        self.view.group_menu_requested.connect(self.grouping.menu)
        self.doc.refused.connect(lambda reason: self.show_status(refusal_text(reason)))
        self.doc.undo_stack.cleanChanged.connect(lambda *_: self.update_title())
        self.doc.changed.connect(
            lambda event: self.update_title() if isinstance(event, ProjectRenamed) else None
        )
        self.doc.project_replaced.connect(self._replaced)

    # ----- public API --------------------------------------------------------------------
    def add_panel(
        self,
        title: str,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        object_name: str,
        tab: bool = True,
    ) -> QDockWidget:
        """Add `widget` as a dock in `area`: a tab beside the area's first dock, or (tab=False) a
        place of its own below the area's docks, so that both show at once; the layout is
        remembered."""
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        dock.setWidget(_scrolling_if_tall(widget) if area == Qt.BottomDockWidgetArea else widget)
        dock.installEventFilter(self.typing_guard)  # a floating dock is a window of its own
        same_area = [d for d in self.docks.values() if self.dockWidgetArea(d) == area]
        self.addDockWidget(area, dock)
        if tab and same_area and area != Qt.LeftDockWidgetArea:
            self.tabifyDockWidget(same_area[0], dock)
            same_area[0].raise_()
        self.docks[object_name] = dock
        return dock

    def resize_panels(
        self, names: list[str], sizes: list[int], orientation: Qt.Orientation
    ) -> None:
        """Give the named panels these sizes along `orientation`."""
        self.resizeDocks([self.docks[n] for n in names], sizes, orientation)

    def current_project(self) -> Project:
        """The live project (copy it before training on it)."""
        return self.doc.project

    def document(self) -> Document:
        """The document: the live project, its undo stack, and undoable settings edits
        (`set_section`)."""
        return self.doc

    def selected_node_ids(self) -> list[str]:
        """The selected nodes' ids, in graph order."""
        return self.scene.selected_node_ids()

    def select_nodes(self, ids: list[str], centre: bool = False) -> None:
        """Select these nodes everywhere (canvas, inspector, table); optionally centre the canvas on
        them."""
        self.ctx.select_nodes(ids, centre)

    def show_status(self, message: str) -> None:
        """Show a message in the status bar (empty clears it)."""
        if message:
            self.statusBar().showMessage(message, 8000)
        else:
            self.statusBar().clearMessage()

    def dialog_folder(self) -> str:
        """Where file dialogs start: the project's folder (or the last one used when unsaved)."""
        return self.files.folder()

    def tell(self, title: str, message: str) -> None:
        """Show an error message box."""
        QMessageBox.warning(self, title, message)

    # ----- state -------------------------------------------------------------------------
    def update_title(self) -> None:
        """'name — file [*]', with the modified marker when the undo stack is not clean."""
        project = self.doc.project
        where = str(project.path) if project.path else "not saved"
        self.setWindowTitle(f"{project.name} — {where}[*] — ConvStudio")
        self.setWindowModified(not self.doc.undo_stack.isClean())

    def _scene_selection(self) -> None:
        ids = self.scene.selected_node_ids()
        self.inspector.show_nodes(ids)
        self.analysis_panel.select_ids(ids)
        self.selection_changed.emit(ids)

    def _rows_chosen(self, ids: list[str]) -> None:
        """Rows chosen in the analysis table: select their nodes and scroll the first into view."""
        self.select_nodes(ids)
        if ids and ids[0] in self.scene.nodes:
            self.view.ensureVisible(self.scene.nodes[ids[0]], 40, 40)

    def _replaced(self) -> None:
        self.update_title()
        QTimer.singleShot(0, self.view.fit)
        self.project_replaced.emit()

    def remember_default_layout(self) -> None:
        """Keep the layout as built (every panel installed) for View ▸ Panels ▸ Reset Layout."""
        self._default_layout = self.saveState(STATE_VERSION)

    def reset_layout(self) -> None:
        """Put every panel back where a first start puts it."""
        default = getattr(self, "_default_layout", None)
        if default is not None:
            self.restoreState(default, STATE_VERSION)

    def restore_layout(self) -> None:
        """Restore dock layout and geometry saved by the last run."""
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self._state_restored = self.restoreState(state, STATE_VERSION)

    def save_layout(self) -> None:
        """Remember dock layout and geometry."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(STATE_VERSION))
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about unsaved changes; on a clean exit drop the recovery file and save the layout."""
        if not self.files.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self.autosaver.release()
        self._shutdown()
        event.accept()

    def _shutdown(self) -> None:
        """Stop signals between the parts so that none fires while Qt deletes them one by one."""
        self.scene.blockSignals(True)
        self.doc.close()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept dropped files."""
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open a dropped project file."""
        self.files.open_dropped(
            [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        )

    def canvas_centre(self) -> QPointF:
        """The scene point at the centre of the canvas."""
        return self.ctx.canvas_centre()

    def open_template_gallery(self) -> "TemplateGallery":
        """Show the Templates gallery; choosing one starts a new untitled project from it."""
        from studio.template_gallery import TemplateGallery

        gallery = TemplateGallery(self.paths.data_dir / "thumbnails", self)
        gallery.chosen.connect(self.files.open_template)
        gallery.open()
        return gallery

    def recent_files(self) -> list[Path]:
        """Recently opened or saved files, newest first."""
        return self.files.recent_files()


TALL_PANEL = 240
"""A bottom panel needing more height than this scrolls, so the canvas keeps its share."""


def _scrolling_if_tall(widget: QWidget) -> QWidget:
    """`widget` itself, or inside a scroll area when its minimum height would squeeze the canvas."""
    if widget.minimumSizeHint().height() <= TALL_PANEL:
        return widget
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setWidget(widget)
    return area
