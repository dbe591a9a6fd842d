"""The user's own blocks in the window: the "My blocks" palette group, saving a selection (or a
group) as a block, and renaming, deleting and revealing library files.

The library lives in the `blocks` folder of the app's data directory (AppPaths), so tests give it
a temporary one. Saving changes no project; replacing the selected layers by the new block is one
undoable graph edit.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QPoint, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from blocks import get_spec
from runtime.errors import ConvStudioError
from runtime.groups import members
from runtime.userblocks.location import LIBRARY_FOLDER
from runtime.userblocks import UserBlockDef, UserLibrary, definition_from_selection
from runtime.userblocks.replace import replace_with_block
from runtime.userblocks.selection import selection_problem
from studio.context import EditorContext
from studio.palette import Palette
from studio.user_block_dialog import BlockRequest, SaveBlockDialog

_LIBRARIES: dict[Path, UserLibrary] = {}


def library_for(data_dir: Path) -> UserLibrary:
    """The block library of an app data folder, loaded (and its blocks installed) on first use.

    The app loads it before the first project, so a library block keeps its id when a project
    embeds another block under the same id (the project's copy then moves to a free id)."""
    folder = Path(data_dir) / LIBRARY_FOLDER
    if folder not in _LIBRARIES:
        library = UserLibrary(folder)
        library.load()
        _LIBRARIES[folder] = library
    return _LIBRARIES[folder]


class UserBlocks:
    """Keeps the palette's "My blocks" in step with the library and runs its commands."""

    def __init__(self, ctx: EditorContext, palette: Palette, data_dir: Path) -> None:
        self.ctx = ctx
        self.palette = palette
        self.library = library_for(data_dir)
        self.dialog: SaveBlockDialog | None = None
        """The open "Save as block" dialog (tests drive it)."""
        self.refresh()
        palette.user_block_menu.connect(self.entry_menu)

    def refresh(self) -> None:
        """List the library's blocks (and its unreadable files) in the palette."""
        entries = [
            (block_id, d.name, tooltip(d))
            for block_id, d in sorted(self.library.blocks.items(), key=lambda i: i[1].name.lower())
        ]
        self.palette.show_user_blocks(entries, self.library.problems)

    # ----- saving -------------------------------------------------------------------------
    def save_selection(self) -> SaveBlockDialog | None:
        """Edit ▸ Save Selection as Block…: the dialog for the selected layers (or one line in the
        status bar saying why they cannot make one block)."""
        return self.save_nodes(self.ctx.selected_node_ids(), "Save Selection as Block")

    def save_group(self, group: str) -> SaveBlockDialog | None:
        """The group menu's "Save Group as Block…": the dialog for the group's blocks, named
        after the group."""
        ids = members(self.ctx.doc.project.graph, group)
        return self.save_nodes(ids, "Save Group as Block", name=group)

    def save_nodes(self, ids: list[str], title: str, name: str = "") -> SaveBlockDialog | None:
        """The "Save as block" dialog for these nodes (a selection or a group's blocks)."""
        graph = self.ctx.doc.project.graph
        problem = selection_problem(graph, ids)
        if problem:
            self.ctx.status(f"Cannot save as a block: {problem}")
            return None
        self.dialog = SaveBlockDialog(
            graph, ids, lambda request: self._save(ids, request), self.ctx.parent, title, name
        )
        self.dialog.finished.connect(self._dialog_closed)
        self.dialog.open()
        return self.dialog

    def _dialog_closed(self) -> None:
        self.dialog = None

    def _save(self, ids: list[str], request: BlockRequest) -> str | None:
        """Save the block the dialog asks for; None, or the reason it was not saved."""
        graph = self.ctx.doc.project.graph
        try:
            name = self.library.check_new_name(request.name)
            definition = definition_from_selection(
                graph, ids, name, request.description, request.exposed
            )
            path = self.library.add(definition)
        except ConvStudioError as exc:
            return getattr(exc, "message", str(exc))
        self.refresh()
        if request.replace:
            self.ctx.doc.replace_graph(
                f"Replace with {definition.name}",
                build=lambda project: replace_with_block(project, ids, definition.id),
            )
        self.ctx.status(f"Saved the block '{definition.name}' to {path}")
        return None

    # ----- library entries ----------------------------------------------------------------
    def entry_menu(self, block_id: str, where: QPoint) -> QMenu:
        """The context menu of a "My blocks" entry: rename, delete, reveal its file."""
        menu = QMenu(self.palette)
        menu.addAction("&Rename…", lambda: self.rename(block_id))
        menu.addAction("&Delete…", lambda: self.delete(block_id))
        menu.addAction("Reveal &File", lambda: self.reveal(block_id))
        menu.popup(where)
        return menu

    def rename(self, block_id: str, name: str | None = None) -> str | None:
        """Rename a library block (asks for the name when none is given); the refusal, if any."""
        current = self.library.blocks[block_id].name
        if name is None:
            name, ok = QInputDialog.getText(
                self.ctx.parent, "Rename Block", "New name:", text=current
            )
            if not ok:
                return None
        try:
            self.library.rename(block_id, name)
        except ConvStudioError as exc:
            self.ctx.tell("Rename Block", str(exc))
            return str(exc)
        self.refresh()
        graph = self.ctx.doc.project.graph
        if any(node.block == block_id for node in graph.nodes.values()):
            self.ctx.scene.rebuild()  # placed copies show the new title
        return None

    def delete(self, block_id: str, confirmed: bool = False) -> bool:
        """Delete a library block after asking; copies placed in projects keep working."""
        definition = self.library.blocks[block_id]
        if not confirmed:
            answer = QMessageBox.question(
                self.ctx.parent,
                "Delete Block",
                f"Delete the block '{definition.name}' from your library?\n\n"
                "Projects that use it keep their copy of it.",
            )
            if answer != QMessageBox.Yes:
                return False
        try:
            self.library.delete(block_id)
        except ConvStudioError as exc:
            self.ctx.tell("Delete Block", str(exc))
            return False
        self.refresh()
        return True

    def reveal(self, block_id: str) -> bool:
        """Show the block's file in the system's file manager (its folder)."""
        folder = self.library.files[block_id].parent
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def tooltip(definition: UserBlockDef) -> str:
    """The palette tooltip: the description, then each exposed parameter with its default and the
    inner parameters it sets."""
    spec = get_spec(definition.id)
    about = html.escape(definition.description.strip() or f"{len(definition.layers)} layers.")
    rows = []
    for param, exposed in zip(spec.params, definition.exposed):
        targets = ", ".join(f"{layer}.{name}" for layer, name in exposed.bindings)
        rows.append(
            f"<li><b>{html.escape(param.name)}</b> = {html.escape(str(param.default))}"
            f" (sets {html.escape(targets)})</li>"
        )
    exposed = f"<p>Parameters:</p><ul>{''.join(rows)}</ul>" if rows else "<p>No parameters.</p>"
    count = f"<p>{len(definition.layers)} layers.</p>" if definition.description.strip() else ""
    return f"<p style='white-space:pre-wrap; max-width:60ch'>{about}</p>{count}{exposed}"
