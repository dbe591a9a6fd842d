"""Edit operations of the window: add, delete, cut/copy/paste/duplicate, auto-layout, expand
composites."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from blocks import get_spec
from runtime.expand import expand_node
from runtime.groups import groups, regroup_pasted
from runtime.group_layout import grouped_positions
from runtime.layout import (
    Direction,
    LayoutDirectionError,
    set_project_direction,
)
from runtime.placement import free_offset, make_room
from runtime.project import Project
from studio.actions import context_actions
from studio.clipboard import clipboard_payload, copy_to_clipboard, paste_records, selection_payload
from studio.context import EditorContext


class Editing:
    """Turns menu actions and gestures into the document's edit intents (refusals: see
    Document.refused)."""

    def __init__(self, ctx: EditorContext) -> None:
        self.ctx = ctx
        self.doc = ctx.doc
        self.custom_dialog = None
        """A prepared custom module dialog the next palette request uses (tests fill it in)."""

    def add_from_palette(self, block: str, pos: QPointF | None = None) -> str | None:
        """A palette entry chosen (double-click or drop): most add their block at once; the
        custom module first asks for its code, class and arguments."""
        if block != "custom_module":
            return self.add_block(block, pos)
        from studio.custom_module_dialog import CustomModuleDialog

        dialog = self.custom_dialog or CustomModuleDialog(self.ctx.parent)
        self.custom_dialog = None
        if dialog.exec() != CustomModuleDialog.Accepted:
            return None
        return self.add_block(block, pos, dialog.request().params())

    def add_block(
        self, block: str, pos: QPointF | None = None, params: dict | None = None
    ) -> str | None:
        """Add a block at a scene position (default: the canvas centre); returns the new node id."""
        pos = pos if pos is not None else self.ctx.canvas_centre()
        record = {"block": block, "pos": (pos.x(), pos.y())}
        if params:
            record["params"] = params
        if self.doc.add_nodes([record], (), f"Add {get_spec(block).title}") is not None:
            return None
        self.ctx.select_nodes(self.doc.last_added)
        return self.doc.last_added[0]

    def delete(self) -> None:
        """Delete the selected nodes and wires."""
        nodes, edges = self.ctx.selected_node_ids(), self.ctx.scene.selected_edges()
        if nodes or edges:
            self.doc.remove_items(nodes, edges)

    def copy(self) -> None:
        """Copy the selected nodes (and wires among them)."""
        ids = self.ctx.selected_node_ids()
        if ids:
            copy_to_clipboard(selection_payload(self.doc.project.graph, ids))

    def cut(self) -> None:
        """Copy, then delete."""
        ids = self.ctx.selected_node_ids()
        if ids:
            self.copy()
            self.doc.remove_items(ids, (), "Cut")

    def paste(self) -> None:
        """Paste the clipboard's nodes with fresh ids and names, in the nearest free space."""
        payload = clipboard_payload()
        if payload is None:
            self.ctx.status("The clipboard holds no ConvStudio blocks")
            return
        self._add_payload(payload, "Paste")

    def duplicate(self) -> None:
        """Copy the selection beside itself (fresh ids and names); the clipboard is untouched."""
        ids = self.ctx.selected_node_ids()
        if ids:
            self._add_payload(selection_payload(self.doc.project.graph, ids), "Duplicate")

    def _add_payload(self, payload: dict, text: str) -> None:
        try:
            records, edges = paste_records(payload, offset=0.0)
            wanted = [(float(r["pos"][0]), float(r["pos"][1])) for r in records]
        except (KeyError, TypeError, IndexError, ValueError):
            self.ctx.status("The clipboard content is not a set of ConvStudio blocks")
            return
        regroup_pasted(records, groups(self.doc.project.graph))
        taken = [n.pos for n in self.doc.project.graph.nodes.values()]
        dx, dy = free_offset(wanted, taken)
        for record, (x, y) in zip(records, wanted):
            record["pos"] = (x + dx, y + dy)
        if self.doc.add_nodes(records, edges, text) is None:
            self.ctx.select_nodes(self.doc.last_added)

    def select_all(self) -> None:
        """Select every node."""
        self.ctx.select_nodes(list(self.doc.project.graph.nodes))

    def auto_layout(self) -> None:
        """Arrange the graph in layers, in the project's direction, a collapsed group as one block
        (one undo step)."""
        try:
            positions = grouped_positions(self.doc.project)
        except LayoutDirectionError as exc:
            self.ctx.status(f"{exc}: laid out top to bottom instead")
            set_project_direction(self.doc.project, "down")
            positions = grouped_positions(self.doc.project)
        self.doc.move_nodes(positions, "Auto-layout")
        self.ctx.view.fit()

    def set_direction(self, direction: Direction) -> None:
        """Make `direction` the project's flow (saved with it) and lay the graph out again."""
        set_project_direction(self.doc.project, direction)
        self.ctx.scene.set_flow(direction)
        self.auto_layout()

    def expand(self, node_id: str) -> None:
        """Replace a composite block with the primitive blocks it is made of (runtime.expand)."""
        name = self.doc.project.graph.node(node_id).name
        self.doc.replace_graph(f"Expand {name}", build=lambda project: _expand(project, node_id))

    def context_menu(self, node_id: str | None, where: QPoint, actions: dict[str, QAction]) -> None:
        """The canvas context menu: node actions (and Expand for a composite), or canvas actions."""
        menu = QMenu(self.ctx.parent)
        if node_id is not None:
            if node_id not in self.ctx.selected_node_ids():
                self.ctx.select_nodes([node_id])
            node = self.doc.project.graph.nodes[node_id]
            if node.spec.composite:
                menu.addAction("Expand into primitives", lambda: self.expand(node_id))
                menu.addSeparator()
        menu.addActions(context_actions(actions, "canvas" if node_id is None else "node"))
        extra = getattr(self.ctx.parent, "model_import", None)  # transfer-learning node actions
        if node_id is not None and extra is not None:
            extra.node_actions(menu, self.ctx.selected_node_ids())
        menu.exec(where)


def _expand(project: Project, node_id: str) -> list[str]:
    """Expand a composite and push the rest of the graph apart so its parts land on free space."""
    graph = project.graph
    origin = graph.node(node_id).pos
    before = {nid: n.pos for nid, n in graph.nodes.items() if nid != node_id}
    added = expand_node(project, node_id)
    for nid, pos in make_room(before, origin, [graph.nodes[n].pos for n in added]).items():
        graph.move(nid, pos)
    return added
