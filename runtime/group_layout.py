"""Auto-layout of what the canvas shows: every collapsed group is placed as one node, and its
blocks move with it (keeping their arrangement, ready to be expanded)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from runtime.graph import Graph
from runtime.groups import groups
from runtime.layout import (
    Direction,
    Position,
    layered_layout,
    project_direction,
    project_positions,
    spatial_sizes,
)

if TYPE_CHECKING:
    from runtime.project import Project

COLLAPSED_ROOM: dict[str, float] = {"down": 30.0, "right": 60.0}
"""Extra distance along the flow around a layer holding a collapsed group: its box is larger than
a block's (studio.canvas.group_item) and the wire labels above and below it need room too."""


def grouped_positions(project: "Project") -> dict[str, Position]:
    """Layered positions of every node in the project's direction (runtime.layout), with each
    collapsed group laid out as a single node at the resolution of the wires leaving it."""
    graph = project.graph
    stand_in = {
        nid: f"group:{name}"
        for name, ids in groups(graph).items()
        if name in graph.collapsed
        for nid in ids
    }
    if not stand_in:
        return project_positions(project)
    order = list(dict.fromkeys(stand_in.get(n, n) for n in graph.topological_order()))
    rank = {key: i for i, key in enumerate(order)}
    edges = []
    for edge in graph.edges:
        src, dst = stand_in.get(edge.src, edge.src), stand_in.get(edge.dst, edge.dst)
        if rank[src] < rank[dst]:  # wires inside a group, or back into a group it left, drop out
            edges.append((src, dst, edge.port))
    sizes = _stand_in_sizes(graph, spatial_sizes(project), stand_in)
    direction = project_direction(project)
    placed = layered_layout(order, list(dict.fromkeys(edges)), direction, sizes)
    placed = _room_for_boxes(placed, set(stand_in.values()), direction)
    positions = {nid: placed[nid] for nid in graph.nodes if nid not in stand_in}
    members: dict[str, list[str]] = {}
    for nid, key in stand_in.items():
        members.setdefault(key, []).append(nid)
    for key, ids in members.items():
        xs = [graph.nodes[n].pos[0] for n in ids]
        ys = [graph.nodes[n].pos[1] for n in ids]
        dx = placed[key][0] - (min(xs) + max(xs)) / 2
        dy = placed[key][1] - (min(ys) + max(ys)) / 2
        for nid in ids:
            x, y = graph.nodes[nid].pos
            positions[nid] = (x + dx, y + dy)
    return positions


def _stand_in_sizes(
    graph: Graph, sizes: dict[str, int | None], stand_in: dict[str, str]
) -> dict[str, int | None]:
    """Node sizes with a collapsed group's key taking the size of the last member (in flow order)
    whose output leaves the group, so that equal resolutions still share a band."""
    result = {nid: size for nid, size in sizes.items() if nid not in stand_in}
    for nid in graph.topological_order():
        key = stand_in.get(nid)
        if key is None:
            continue
        leaves = any(stand_in.get(e.dst) != key for e in graph.consumers(nid))
        if leaves or key not in result:
            result[key] = sizes.get(nid)
    return result


def _room_for_boxes(
    placed: dict[str, Position], boxes: set[str], direction: Direction
) -> dict[str, Position]:
    """Push the layers apart along the flow: half of COLLAPSED_ROOM before and after every layer
    holding a collapsed group. Monotone in the flow coordinate, so folded columns and the bands
    of equal resolution stay aligned."""
    along = 1 if direction == "down" else 0
    marks = sorted({placed[key][along] for key in boxes})
    half = COLLAPSED_ROOM[direction] / 2
    result = {}
    for key, pos in placed.items():
        a = pos[along]
        shift = half * (bisect_right(marks, a) + bisect_left(marks, a))
        result[key] = (pos[0], pos[1] + shift) if along else (pos[0] + shift, pos[1])
    return result
