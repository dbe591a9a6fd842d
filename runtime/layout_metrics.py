"""Measures of a drawn layout: wire crossings, bends, wires through boxes, fit-to-view zoom.

Wires are taken as drawn on the canvas (runtime.wire_route), from the output port (bottom centre;
right centre when the flow runs right) to the input port (top edge; left edge); an S-curve counts
as the straight chord between its ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from runtime.graph import Graph
from runtime.wire_route import route

NODE_W = 176.0
"""Width of a node on the canvas (studio.canvas.style.NODE_W)."""
NODE_H = 58.0
"""Height of a node on the canvas (studio.canvas.style.NODE_H)."""
Point = tuple[float, float]


@dataclass(frozen=True)
class LayoutMeasures:
    """What a reader of the drawing sees."""

    crossings: int
    """Pairs of wires that cross (wires sharing a node do not count)."""
    bends: int
    """Turns along the wires: 0 for a straight wire, 2 for an S-shaped one."""
    through_boxes: int
    """Wire-box pairs where a wire runs across a node that is not one of its ends."""
    fit_zoom: float
    """The zoom at which the whole drawing fits the canvas (capped at 1)."""


def measure(
    graph: Graph,
    positions: Mapping[str, Point],
    direction: str = "down",
    canvas: tuple[float, float] = (1150.0, 640.0),
) -> LayoutMeasures:
    """Measure the drawing of `graph` with nodes centred at `positions`."""
    inputs: dict[str, int] = {}
    for edge in graph.edges:
        inputs[edge.dst] = max(inputs.get(edge.dst, 0), edge.port + 1)
    wires = [
        (
            edge.src,
            edge.dst,
            _out_port(positions[edge.src], direction),
            _in_port(positions[edge.dst], edge.port, inputs[edge.dst], direction),
        )
        for edge in graph.edges
    ]
    paths = [(s, d, _segments(route(a, b, direction).polyline())) for s, d, a, b in wires]
    crossings = 0
    for i, (s1, d1, one) in enumerate(paths):
        for s2, d2, two in paths[i + 1 :]:
            if {s1, d1} & {s2, d2}:
                continue
            if any(_segments_cross(a, b, c, d) for a, b in one for c, d in two):
                crossings += 1
    bends = sum(_bends(a, b, direction) for _, _, a, b in wires)
    through = 0
    for src, dst, segments in paths:
        for nid, (x, y) in positions.items():
            if nid in (src, dst):
                continue
            if any(_segment_hits_box(a, b, x, y) for a, b in segments):
                through += 1
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    width = max(xs) - min(xs) + NODE_W + 120
    height = max(ys) - min(ys) + NODE_H + 120
    zoom = min(1.0, canvas[0] / width, canvas[1] / height)
    return LayoutMeasures(crossings, bends, through, zoom)


def _out_port(centre: Point, direction: str) -> Point:
    x, y = centre
    return (x + NODE_W / 2, y) if direction == "right" else (x, y + NODE_H / 2)


def _in_port(centre: Point, port: int, count: int, direction: str) -> Point:
    x, y = centre
    share = (port + 1) / (max(count, 1) + 1)
    if direction == "right":
        return (x - NODE_W / 2, y - NODE_H / 2 + NODE_H * share)
    return (x - NODE_W / 2 + NODE_W * share, y - NODE_H / 2)


def _segments(points: list[Point]) -> list[tuple[Point, Point]]:
    return list(zip(points, points[1:]))


def _bends(a: Point, b: Point, direction: str) -> int:
    """0 for a straight wire along the flow, 2 for an S-curve or a hook, 4 for a detour."""
    way = route(a, b, direction)
    if way.curve is None:
        return len(way.points) - 2
    across = abs(a[1] - b[1]) if direction == "right" else abs(a[0] - b[0])
    along = (b[0] - a[0]) if direction == "right" else (b[1] - a[1])
    return 0 if across < 1.0 and along > 0 else 2


def _orientation(p: Point, q: Point, r: Point) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """True when segments ab and cd cross at a point inside both."""
    d1, d2 = _orientation(c, d, a), _orientation(c, d, b)
    d3, d4 = _orientation(a, b, c), _orientation(a, b, d)
    return d1 * d2 < 0 and d3 * d4 < 0


def _segment_hits_box(a: Point, b: Point, x: float, y: float) -> bool:
    """True when segment ab passes through the inside of the node box centred at (x, y)."""
    left, right = x - NODE_W / 2 + 1, x + NODE_W / 2 - 1
    top, bottom = y - NODE_H / 2 + 1, y + NODE_H / 2 - 1
    if max(a[0], b[0]) < left or min(a[0], b[0]) > right:
        return False
    if max(a[1], b[1]) < top or min(a[1], b[1]) > bottom:
        return False
    corners = [(left, top), (right, top), (right, bottom), (left, bottom)]
    if any(left < p[0] < right and top < p[1] < bottom for p in (a, b)):
        return True
    return any(_segments_cross(a, b, c, d) for c, d in zip(corners, corners[1:] + corners[:1]))
