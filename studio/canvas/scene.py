"""The scene mirrors the graph: it follows the model's events and keeps `node id → item`."""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QPointF, QRectF, QTimer
from PySide6.QtWidgets import QGraphicsScene

from runtime.format import PENDING, compact, count_text, shape_text
from runtime.graph import Edge
from runtime.groups import groups, summarise
from runtime.layout import LayoutDirectionError, project_direction
from runtime.project import Project
from runtime.project_events import (
    EdgeAdded,
    EdgeRemoved,
    GraphEvent,
    GraphReset,
    GroupCollapsed,
    NodeAdded,
    NodeMoved,
    NodeRemoved,
    NodeRenamed,
    ParamsChanged,
)
from studio.canvas import style
from studio.canvas.group_item import GroupItem, frame_pieces
from studio.canvas.items import NODE_BOUNDS, EdgeItem, NodeItem
from studio.canvas.overview import Overview
from studio.canvas.style import NODE_H, NODE_W
from studio.canvas.wires import WireLayer
from studio.document import Document

SHADE_MODES = ("none", "params", "macs")
"""Node shading: off, by share of parameters, by share of multiply-adds."""


class GraphScene(QGraphicsScene):
    """Node and wire items for the document's graph, kept in step with its events and analysis."""

    def __init__(self, doc: Document) -> None:
        super().__init__(doc)
        self.doc = doc
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self._touching: dict[str, set[Edge]] = {}
        self.shade_mode = "none"
        self.flow = "down"
        self.node_shades: dict[str, float] | None = None
        self.overview = Overview(self)
        self.wires: WireLayer | None = None
        self.groups: dict[str, GroupItem] = {}
        self._members: dict[str, list[str]] = {}
        self._group_of: dict[str, str] = {}
        self._hidden: dict[str, str] = {}
        """Node id → the collapsed group that stands for it."""
        self._group_ports: dict[Edge, int] = {}
        """Wire entering a collapsed group → its input port on the group's box."""
        self._group_timer = QTimer(self)
        self._group_timer.setSingleShot(True)
        self._group_timer.setInterval(0)
        self._group_timer.timeout.connect(self.sync_groups)
        self.setBackgroundBrush(style.BACKGROUND)
        self.setItemIndexMethod(QGraphicsScene.BspTreeIndex)
        doc.graph_changed.connect(self.on_event)
        doc.analysis_changed.connect(self.refresh_figures)
        doc.project_replaced.connect(self.rebuild)
        self.selectionChanged.connect(self._selection_drawn)
        self.rebuild()

    # ----- model events --------------------------------------------------------------
    def rebuild(self) -> None:
        """Drop every item and build them again from the graph."""
        self.wires = None  # clear() deletes the layer and may report a selection change meanwhile
        self.clear()
        self.nodes.clear()
        self.edges.clear()
        self._touching.clear()
        self.groups.clear()
        self._hidden.clear()
        self.wires = WireLayer(self)
        self.addItem(self.wires)
        self.flow = _flow_of(self.doc.project)
        graph = self.doc.project.graph
        for nid in graph.nodes:
            self._add_node(nid)
        for nid in graph.nodes:
            self._sync_inputs(nid)
        self.sync_groups()
        self.refresh_figures()

    def on_event(self, event: GraphEvent) -> None:
        """Apply one model change to the items."""
        if not isinstance(event, NodeMoved):
            self._group_timer.start()  # membership, wires or collapsed state may have changed
        match event:
            case GraphReset():
                self.rebuild()
            case NodeAdded(node_id=nid):
                self._add_node(nid)
            case NodeRemoved(node_id=nid):
                item = self.nodes.pop(nid, None)
                if item is not None:
                    self.removeItem(item)
                    self.overview.invalidate()
            case EdgeAdded(edge=edge) | EdgeRemoved(edge=edge):
                self._sync_inputs(edge.dst)
            case ParamsChanged(node_id=nid) | NodeRenamed(node_id=nid):
                self._refresh_node(nid)
            case NodeMoved(node_id=nid):
                item = self.nodes[nid]
                pos = self.doc.project.graph.nodes[nid].pos
                if (item.pos().x(), item.pos().y()) != pos:
                    item.setPos(*pos)
            case GroupCollapsed():
                pass  # sync_groups follows

    def _add_node(self, nid: str) -> None:
        item = NodeItem(self.doc.project.graph.nodes[nid])
        item.flow = self.flow
        item.moved_callback = self._node_moved
        self.nodes[nid] = item
        self.addItem(item)
        self.overview.invalidate()

    def _refresh_node(self, nid: str) -> None:
        graph = self.doc.project.graph
        self.nodes[nid].update_from(graph.nodes[nid], len(graph.inputs_of(nid)))

    def _sync_inputs(self, dst: str) -> None:
        """Re-create the wires into `dst` (a merge's ports shift when one is removed)."""
        for edge in [e for e in self._touching.get(dst, ()) if e.dst == dst]:
            gone = self.edges.pop(edge)
            self._wires_changed(gone.boundingRect())
            self.removeItem(gone)
            for end in (edge.src, edge.dst):
                self._touching.get(end, set()).discard(edge)
        if dst not in self.nodes:
            return
        self._refresh_node(dst)
        for edge in self.doc.project.graph.inputs_of(dst):
            item = EdgeItem(edge)
            self.edges[edge] = item
            self._touching.setdefault(edge.src, set()).add(edge)
            self._touching.setdefault(edge.dst, set()).add(edge)
            self.addItem(item)
            self._route(item)
        self.overview.invalidate()

    def _route(self, item: EdgeItem) -> None:
        """Lay a wire between its ports; an end inside a collapsed group attaches to the group."""
        edge = item.edge
        start = self._hidden.get(edge.src)
        end = self._hidden.get(edge.dst)
        if start in self.groups:
            box = self.groups[start]
            start_at = box.mapToScene(box.out_port_pos())
        else:
            src = self.nodes[edge.src]
            start_at = src.mapToScene(src.out_port_pos())
        if end in self.groups:
            box = self.groups[end]
            end_at = box.mapToScene(box.in_port_pos(self._group_ports.get(edge, 0)))
        else:
            dst = self.nodes[edge.dst]
            end_at = dst.mapToScene(dst.in_port_pos(edge.port))
        self._wires_changed(item.set_ends(start_at, end_at, self.flow))

    def set_flow(self, direction: str) -> None:
        """Put the ports where `direction` ("down" or "right") wants them and re-route the wires."""
        self.flow = direction
        for item in self.nodes.values():
            item.prepareGeometryChange()
            item.flow = direction
            item.update()
        for name, group in self.groups.items():
            group.flow = direction
            self._place_group(name, route=False)
        for item in self.edges.values():
            self._route(item)

    def _wires_changed(self, area: QRectF | None = None) -> None:
        self.overview.invalidate()
        # Qt deletes the layer with every item when the scene is cleared or torn down, and may still
        # report a selection change meanwhile: a deleted layer has nothing left to redraw.
        if self.wires is not None and shiboken6.isValid(self.wires):
            self.wires.changed(area)

    def _selection_drawn(self) -> None:
        """Selected wires and boxes are drawn in the selection colour by the layers."""
        self._wires_changed()

    def _node_moved(self, nid: str) -> None:
        for edge in self._touching.get(nid, ()):
            self._route(self.edges[edge])
        group = self._group_of.get(nid)
        if group in self.groups:
            self._place_group(group)
        self.overview.invalidate()

    # ----- groups --------------------------------------------------------------------
    def sync_groups(self) -> None:
        """Frames and collapsed boxes for the graph's groups; hide what collapsed groups hold and
        attach the wires crossing their borders to them."""
        self._group_timer.stop()
        graph = self.doc.project.graph
        self._members = {
            name: [n for n in ids if n in self.nodes] for name, ids in groups(graph).items()
        }
        self._group_of = {nid: name for name, ids in self._members.items() for nid in ids}
        for name in [g for g in self.groups if g not in self._members]:
            self.removeItem(self.groups.pop(name))
        before = self._hidden
        self._hidden = {n: g for n, g in self._group_of.items() if g in graph.collapsed}
        self._group_ports = {}
        for name, ids in self._members.items():
            if name not in self.groups:
                item = GroupItem(name, self.toggle_group)
                item.flow = self.flow
                item.moved_callback = self._group_moved
                self.groups[name] = item
                self.addItem(item)
            entering = [
                e for nid in ids for e in graph.inputs_of(nid) if self._hidden.get(e.src) != name
            ]
            self._group_ports.update({e: i for i, e in enumerate(entering)})
            self.groups[name].input_count = len(entering)
            self._place_group(name, route=False)
        for nid in before.keys() | self._hidden.keys():
            item = self.nodes.get(nid)
            if item is not None:
                hide = nid in self._hidden
                if hide and item.isSelected():
                    item.setSelected(False)
                item.setVisible(not hide)
        for edge, item in self.edges.items():
            ends = (self._hidden.get(edge.src), self._hidden.get(edge.dst))
            if ends == (before.get(edge.src), before.get(edge.dst)) == (None, None):
                continue  # a wire between shown blocks, shown before too: nothing changes
            item.setVisible(ends[0] is None or ends[0] != ends[1])
            self._route(item)
        self._refresh_group_figures(self.doc.analysis)
        self.overview.invalidate()
        self._wires_changed()

    def toggle_group(self, name: str) -> None:
        """Collapse group `name` when expanded, expand it when collapsed (an undoable edit)."""
        if name in self._members:
            self.doc.set_group_collapsed(name, name not in self.doc.project.graph.collapsed)

    def group_at(self, item: object) -> str | None:
        """The group name when `item` is a group's frame or box."""
        return item.name if isinstance(item, GroupItem) else None

    def _place_group(self, name: str, route: bool = True) -> None:
        w, h = NODE_W, NODE_H
        rects = []
        for nid in self._members.get(name, ()):
            pos = self.nodes[nid].pos()
            rects.append(QRectF(pos.x() - w / 2, pos.y() - h / 2, w, h))
        item = self.groups[name]
        item.set_state(name in self.doc.project.graph.collapsed, frame_pieces(rects, self.flow))
        if route and item.collapsed:
            self._group_moved(name)

    def _group_moved(self, name: str) -> None:
        for nid in self._members.get(name, ()):
            for edge in self._touching.get(nid, ()):
                if self.edges[edge].isVisible():
                    self._route(self.edges[edge])
        self.overview.invalidate()

    def collapsed_group_moves(self) -> dict[str, tuple[float, float]]:
        """New positions for the nodes of collapsed groups whose boxes were dragged (selected)."""
        moves: dict[str, tuple[float, float]] = {}
        for item in self.selectedItems():
            if isinstance(item, GroupItem) and item.collapsed and item.pos() != item.home:
                delta = item.pos() - item.home
                for nid in self._members.get(item.name, ()):
                    pos = self.nodes[nid].pos() + delta
                    moves[nid] = (pos.x(), pos.y())
        return moves

    def _refresh_group_figures(self, analysis) -> None:
        graph = self.doc.project.graph
        for name, item in self.groups.items():
            if not item.collapsed:
                continue
            summary = summarise(graph, analysis, name)
            ins = ", ".join(shape_text(s) for s in summary.in_shapes) or "–"
            outs = ", ".join(shape_text(s) for s in summary.out_shapes) or "–"
            item.set_lines(
                ins,
                outs,
                f"{compact(summary.params)} params · {compact(summary.macs)} MACs",
                f"{len(summary.members)} blocks",
                item.input_count,
                f"{count_text(summary.params)} parameters · "
                f"{count_text(summary.macs)} multiply-adds",
            )

    # ----- analysis ------------------------------------------------------------------
    def refresh_figures(self) -> None:
        """Output shapes, errors, shading and wire labels from the current analysis."""
        analysis = self.doc.analysis
        errors: dict[str, str] = {}
        for problem in analysis.problems:
            if problem.node_id is not None:
                errors.setdefault(problem.node_id, problem.message)
        shares = self.node_shades if self.node_shades is not None else self._shares(analysis)
        warnings = {w.node_id: w.message for w in analysis.warnings if w.node_id is not None}
        for nid, item in self.nodes.items():
            fig = analysis.nodes.get(nid)
            shown = shape_text(fig.out_shape) if fig else (PENDING if analysis.pending else "")
            item.set_figures(shown, errors.get(nid), shares.get(nid, 0.0))
            # a spare node left out of training and export is drawn faded, its tooltip says why
            item.setOpacity(0.5 if nid in warnings else 1.0)
            if nid in warnings:
                item.setToolTip(warnings[nid])
        for edge, item in self.edges.items():
            fig = analysis.nodes.get(edge.src)
            if item.set_label(shape_text(fig.out_shape) if fig else ""):
                self._wires_changed(item.boundingRect())
        self._refresh_group_figures(analysis)
        self.overview.invalidate()

    def _shares(self, analysis) -> dict[str, float]:
        if self.shade_mode == "none":
            return {}
        values = {
            nid: (f.params if self.shade_mode == "params" else f.macs)
            for nid, f in analysis.nodes.items()
        }
        top = max(values.values(), default=0)
        return {nid: v / top for nid, v in values.items()} if top else {}

    def set_shade_mode(self, mode: str) -> None:
        """Shade nodes by share of parameters ('params'), of multiply-adds ('macs'), or not
        ('none')."""
        self.shade_mode = mode
        self.node_shades = None
        self.refresh_figures()
        for view in self.views():
            view.viewport().update()  # the legend

    def set_node_shades(self, shades: dict[str, float] | None) -> None:
        """Shade nodes by given 0–1 levels by node id (e.g. live layer health); None goes back to
        the mode."""
        self.node_shades = shades
        self.refresh_figures()

    # ----- queries ---------------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        """Selected nodes, in graph order."""
        chosen = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
        for item in self.selectedItems():
            if isinstance(item, GroupItem) and item.collapsed:
                chosen.update(self._members.get(item.name, ()))
        return [nid for nid in self.doc.project.graph.nodes if nid in chosen]

    def selected_edges(self) -> list[Edge]:
        """Selected wires."""
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, ids: list[str]) -> None:
        """Select exactly these nodes."""
        wanted = set(ids)
        self.blockSignals(True)
        self.clearSelection()
        for nid in wanted:
            if nid in self._hidden and self._hidden[nid] in self.groups:
                self.groups[self._hidden[nid]].setSelected(True)
            elif nid in self.nodes:
                self.nodes[nid].setSelected(True)
        self.blockSignals(False)
        self.selectionChanged.emit()

    def port_at(self, pos: QPointF) -> tuple[NodeItem, str, int] | None:
        """The node item and port under scene point `pos`, if any."""
        area = QRectF(
            pos.x() - style.PORT_HIT,
            pos.y() - style.PORT_HIT,
            2 * style.PORT_HIT,
            2 * style.PORT_HIT,
        )
        for item in self.items(area):
            if isinstance(item, NodeItem):
                hit = item.port_at(pos)
                if hit:
                    return item, hit[0], hit[1]
        return None

    def items_rect(self) -> QRectF:
        """Bounding box of all nodes, with a margin."""
        xs, ys = [], []
        for item in self.nodes.values():
            if item.isVisible():
                pos = item.pos()  # every node has the same box: no per-item boundingRect call
                xs.append(pos.x())
                ys.append(pos.y())
        rect = QRectF()
        if xs:
            box = NODE_BOUNDS
            rect = QRectF(
                min(xs) + box.left(),
                min(ys) + box.top(),
                max(xs) - min(xs) + box.width(),
                max(ys) - min(ys) + box.height(),
            )
        for group in self.groups.values():
            rect = rect.united(group.sceneBoundingRect())
        return rect.adjusted(-60, -60, 60, 60)


def _flow_of(project: Project) -> str:
    """The project's flow direction; "down" (with the reason in the log) when the file's is bad."""
    try:
        return project_direction(project)
    except LayoutDirectionError as exc:
        logging.getLogger(__name__).warning("%s; laying out top to bottom", exc)
        return "down"
