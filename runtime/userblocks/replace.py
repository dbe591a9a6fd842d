"""Put a saved block in the place of the layers it was made from (one undoable graph edit)."""

from __future__ import annotations

from typing import Iterable

from runtime.groups import GROUP_KEY, group_of
from runtime.project import Project
from runtime.userblocks.selection import boundary


def replace_with_block(project: Project, node_ids: Iterable[str], block_id: str) -> str:
    """Replace the selected nodes by one node of `block_id`, wired where they were; its id.

    The block's exposed parameters take their defaults, which are the selected layers' values,
    so the network computes the same function (with fresh weights). When the nodes were all in
    one group, the block takes their place in it."""
    graph = project.graph
    ids = list(node_ids)
    heads, output = boundary(graph, ids)
    chosen = set(ids)
    feeding = {e.src for h in heads for e in graph.inputs_of(h) if e.src not in chosen}
    leaving = [(e.dst, e.port) for e in graph.consumers(output) if e.dst not in chosen]
    xs = [graph.nodes[n].pos[0] for n in ids]
    ys = [graph.nodes[n].pos[1] for n in ids]
    shared = {group_of(graph.nodes[nid]) for nid in ids}
    extra = {GROUP_KEY: shared.pop()} if len(shared) == 1 and None not in shared else {}
    for nid in ids:
        graph.remove_node(nid)
    node = graph.add_node(block_id, pos=(sum(xs) / len(xs), sum(ys) / len(ys)), extra=extra)
    for src in feeding:
        graph.connect(src, node.id)
    for dst, port in sorted(leaving, key=lambda d: d[1]):
        graph.connect(node.id, dst, port)
    return node.id
