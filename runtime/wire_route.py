"""The route a wire takes on the canvas between an output port and an input port.

Along the flow a wire is one S-curve (its two control points come from here). Against the flow,
which happens where the layout starts a new column (a fold, the climbing arm of a U), a wire
between neighbouring nodes of one column makes a short hook behind the boxes; one into another
column leaves downwards, runs up the gap between the columns and enters from above, so it does not
cut across the boxes of either. Qt-free: the canvas draws it, runtime.layout_metrics measures it.
"""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]

HOOK = 40.0
"""How far a wire against the flow runs on before it turns."""
NODE_SPAN = 176.0
"""Ends closer than this across the flow belong to one column (a node's width)."""


@dataclass(frozen=True)
class Route:
    """Either one cubic (`curve`: start, control 1, control 2, end) or a polyline (`points`)."""

    curve: tuple[Point, Point, Point, Point] | None
    points: tuple[Point, ...] = ()

    def polyline(self) -> list[Point]:
        """The route as straight segments (a curve by its chord: its two ends)."""
        if self.curve is not None:
            return [self.curve[0], self.curve[3]]
        return list(self.points)


def route(start: Point, end: Point, flow: str = "down") -> Route:
    """The route from the output port at `start` to the input port at `end`."""
    if flow == "right":
        flipped = route((start[1], start[0]), (end[1], end[0]), "down")
        if flipped.curve is not None:
            return Route(tuple((y, x) for x, y in flipped.curve))  # type: ignore[arg-type]
        return Route(None, tuple((y, x) for x, y in flipped.points))
    (sx, sy), (ex, ey) = start, end
    span = ey - sy
    if span >= 0:
        dy = max(span * 0.5, 30.0)
        return Route((start, (sx, sy + dy), (ex, ey - dy), end))
    if abs(ex - sx) < NODE_SPAN:
        return Route((start, (sx, sy + HOOK), (ex, ey - HOOK), end))
    gap = (sx + ex) / 2
    low, high = sy + HOOK / 2, ey - HOOK / 2
    return Route(None, (start, (sx, low), (gap, low), (gap, high), (ex, high), end))
