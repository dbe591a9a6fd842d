"""Group commands of the window: group the selection (Ctrl+G), ungroup, rename, collapse, and the
context menu of a group's frame or collapsed box."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QInputDialog, QMenu

from runtime.groups import fresh_group_name, group_of, groups
from studio.context import EditorContext


class Grouping:
    """Turns group gestures and menu actions into the document's group edits (all undoable)."""

    def __init__(self, ctx: EditorContext) -> None:
        self.ctx = ctx
        self.doc = ctx.doc
        self.save_as_block: Callable[[str], object] | None = None
        """Offers "Save Group as Block…" in the group menu when set (the user's block library)."""

    def group_selection(self, name: str | None = None) -> str | None:
        """Put the selected nodes into a new group (named `group<n>` unless given); returns its
        name, or None when nothing was selected or the edit was refused."""
        ids = self.ctx.selected_node_ids()
        if not ids:
            self.ctx.status("Select the blocks to group first")
            return None
        name = name or fresh_group_name(groups(self.doc.project.graph))
        if self.doc.group_nodes(ids, name) is not None:
            return None
        self.ctx.status(
            f"Grouped {len(ids)} blocks as '{name}': double-click its title to collapse"
        )
        return name

    def selected_groups(self) -> list[str]:
        """The groups the selected nodes belong to, in graph order."""
        graph = self.doc.project.graph
        found = [group_of(graph.nodes[nid]) for nid in self.ctx.selected_node_ids()]
        return list(dict.fromkeys(g for g in found if g is not None))

    def ungroup_selection(self) -> None:
        """Dissolve the groups of the selected nodes (one undo step each)."""
        chosen = self.selected_groups()
        if not chosen:
            self.ctx.status("The selection is in no group")
        for name in chosen:
            self.doc.ungroup(name)

    def rename(self, name: str) -> None:
        """Ask for a new name for group `name` and apply it."""
        new, ok = QInputDialog.getText(self.ctx.parent, "Rename Group", "Group name:", text=name)
        if ok and new.strip() and new.strip() != name:
            self.doc.rename_group(name, new.strip())

    def select_group(self, name: str) -> None:
        """Select the nodes of group `name`."""
        self.ctx.select_nodes(list(groups(self.doc.project.graph).get(name, [])))

    def menu(self, name: str, where: QPoint) -> None:
        """The context menu of a group: collapse or expand, select, rename, ungroup."""
        collapsed = name in self.doc.project.graph.collapsed
        menu = QMenu(self.ctx.parent)
        menu.addAction(
            "Expand Group" if collapsed else "Collapse Group",
            lambda: self.doc.set_group_collapsed(name, not collapsed),
        )
        menu.addAction("Select Blocks of Group", lambda: self.select_group(name))
        menu.addAction("Rename Group…", lambda: self.rename(name))
        if self.save_as_block is not None:
            save = self.save_as_block
            menu.addAction("Save Group as Block…", lambda: save(name))
        menu.addSeparator()
        menu.addAction("Ungroup", lambda: self.doc.ungroup(name))
        menu.exec(where)
