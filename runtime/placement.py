"""Where new nodes go on the canvas so that they never land on top of existing ones.

Positions are node centres; every node is a box of `size` (the canvas draws them that size).
Pasted or duplicated nodes keep their arrangement and move as one block to the nearest free spot;
an expanded composite pushes the rest of the graph apart to make room for its sub-graph.
"""

from __future__ import annotations

from typing import Iterable, Mapping

Position = tuple[float, float]
Box = tuple[float, float, float, float]
"""left, top, right, bottom."""

NODE_SIZE = (176.0, 58.0)
"""Width and height of a node box on the canvas."""
GAP = 24.0
"""Free space kept between a placed node and its neighbours."""
TRIES = 200


def bounds(points: Iterable[Position], size: tuple[float, float] = NODE_SIZE) -> Box | None:
    """The box around nodes centred at `points` (None for none)."""
    pts = list(points)
    if not pts:
        return None
    w, h = size[0] / 2, size[1] / 2
    return (
        min(x for x, _ in pts) - w,
        min(y for _, y in pts) - h,
        max(x for x, _ in pts) + w,
        max(y for _, y in pts) + h,
    )


def _hits(point: Position, taken: list[Position], size: tuple[float, float]) -> bool:
    reach_x, reach_y = size[0] + GAP, size[1] + GAP
    return any(abs(point[0] - x) < reach_x and abs(point[1] - y) < reach_y for x, y in taken)


def free_offset(
    new: Iterable[Position], taken: Iterable[Position], size: tuple[float, float] = NODE_SIZE
) -> Position:
    """The shift that puts every new node clear of every taken one: none when they are already
    clear (a cut and paste lands where the nodes were), else the nearest of steps to the right,
    below, to the left or above, keeping the new nodes' arrangement."""
    moving, fixed = list(new), list(taken)
    if not moving:
        return (0.0, 0.0)
    step_x, step_y = size[0] + GAP, size[1] + GAP
    for k in range(TRIES):
        ring = (
            [(0.0, 0.0)]
            if k == 0
            else [
                (k * step_x, 0.0),
                (0.0, k * step_y),
                (-k * step_x, 0.0),
                (0.0, -k * step_y),
                (k * step_x, k * step_y),
            ]
        )
        for dx, dy in ring:
            if not any(_hits((x + dx, y + dy), fixed, size) for x, y in moving):
                return (dx, dy)
    left, top, right, bottom = bounds(fixed, size) or (0.0, 0.0, 0.0, 0.0)
    return (right - min(x for x, _ in moving) + step_x, 0.0)  # beside everything


def make_room(
    others: Mapping[str, Position],
    origin: Position,
    added: Iterable[Position],
    size: tuple[float, float] = NODE_SIZE,
) -> dict[str, Position]:
    """New positions for `others` (the nodes that were there) after one node at `origin` became the
    nodes at `added`: those beyond the grown region move out along the graph's direction (down for a
    top-down graph, right for a left-to-right one) by as much as it grew. Only moved nodes are
    returned."""
    box = bounds(added, size)
    if box is None:
        return {}
    left, top, right, bottom = box
    ox, oy = origin
    half_w, half_h = size[0] / 2, size[1] / 2
    vertical = (bottom - top) >= (right - left)
    if vertical:
        grow_after = max(0.0, bottom - (oy + half_h))
        grow_before = max(0.0, (oy - half_h) - top)
        return {
            nid: (x, y + grow_after if y > oy else y - grow_before)
            for nid, (x, y) in others.items()
            if (y > oy and grow_after) or (y < oy and grow_before)
        }
    grow_after = max(0.0, right - (ox + half_w))
    grow_before = max(0.0, (ox - half_w) - left)
    return {
        nid: (x + grow_after if x > ox else x - grow_before, y)
        for nid, (x, y) in others.items()
        if (x > ox and grow_after) or (x < ox and grow_before)
    }
