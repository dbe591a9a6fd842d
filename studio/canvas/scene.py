"""The scene mirrors the graph: it follows the model's events and keeps `node id → item`."""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QGraphicsScene

from runtime.format import shape_text
from runtime.layout import LayoutDirectionError, project_direction
from runtime.project import Project
from runtime.graph import Edge
from runtime.project_events import (
    EdgeAdded,
    EdgeRemoved,
    GraphEvent,
    GraphReset,
    NodeAdded,
    NodeMoved,
    NodeRemoved,
    NodeRenamed,
    ParamsChanged,
)
from studio.canvas import style
from studio.canvas.items import EdgeItem, NodeItem
from studio.canvas.overview import Overview
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
        self.wires = WireLayer(self)
        self.addItem(self.wires)
        self.flow = _flow_of(self.doc.project)
        graph = self.doc.project.graph
        for nid in graph.nodes:
            self._add_node(nid)
        for nid in graph.nodes:
            self._sync_inputs(nid)
        self.refresh_figures()

    def on_event(self, event: GraphEvent) -> None:
        """Apply one model change to the items."""
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
        src, dst = self.nodes[item.edge.src], self.nodes[item.edge.dst]
        self._wires_changed(
            item.set_ends(
                src.mapToScene(src.out_port_pos()),
                dst.mapToScene(dst.in_port_pos(item.edge.port)),
                self.flow,
            )
        )

    def set_flow(self, direction: str) -> None:
        """Put the ports where `direction` ("down" or "right") wants them and re-route the wires."""
        self.flow = direction
        for item in self.nodes.values():
            item.prepareGeometryChange()
            item.flow = direction
            item.update()
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
        self.overview.invalidate()

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
            item.set_figures(
                shape_text(fig.out_shape) if fig else "", errors.get(nid), shares.get(nid, 0.0)
            )
            # a spare node left out of training and export is drawn faded, its tooltip says why
            item.setOpacity(0.5 if nid in warnings else 1.0)
            if nid in warnings:
                item.setToolTip(warnings[nid])
        for edge, item in self.edges.items():
            fig = analysis.nodes.get(edge.src)
            if item.set_label(shape_text(fig.out_shape) if fig else ""):
                self._wires_changed(item.boundingRect())
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
            if nid in self.nodes:
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
        rect = QRectF()
        for item in self.nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect.adjusted(-60, -60, 60, 60)


def _flow_of(project: Project) -> str:
    """The project's flow direction; "down" (with the reason in the log) when the file's is bad."""
    try:
        return project_direction(project)
    except LayoutDirectionError as exc:
        logging.getLogger(__name__).warning("%s; laying out top to bottom", exc)
        return "down"
