"""Colour the canvas by a graph diff: added nodes in green, changed ones in orange (removed nodes
are not
on the canvas; the comparison lists them)."""

from __future__ import annotations

from runtime.runs.diff import GraphDiff
from studio.canvas.scene import GraphScene


def show_diff(scene: GraphScene, diff: GraphDiff) -> dict[str, str]:
    """Mark the nodes of the scene's graph (side B of `diff`) that were added or changed; returns
    id → mark."""
    graph = scene.doc.project.graph
    by_name = {n.name: n.id for n in graph.nodes.values()}
    marks = {by_name[name]: "added" for name in diff.added if name in by_name}
    marks.update({by_name[c.name]: "changed" for c in diff.changed if c.name in by_name})
    for nid, item in scene.nodes.items():
        mark = marks.get(nid)
        if item.diff_mark != mark:
            item.diff_mark = mark
            item.update()
    return marks


def clear_diff(scene: GraphScene) -> None:
    """Remove every comparison mark."""
    for item in scene.nodes.values():
        if item.diff_mark is not None:
            item.diff_mark = None
            item.update()
