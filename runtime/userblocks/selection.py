"""Make a user block from selected nodes of a graph: one way in, one way out, checked params."""

from __future__ import annotations

from typing import Iterable, Sequence

from blocks.spec import SUB_INPUT
from runtime.graph import Graph
from runtime.userblocks.definition import (
    FORMAT,
    VERSION,
    UserBlockDef,
    UserBlockError,
    block_id_for,
    check_block_name,
    parse_definition,
)
from runtime.userblocks.installed import free_id

Exposure = tuple[str, Sequence[tuple[str, str]]]
"""An exposed parameter's name and the (node name, parameter) pairs it sets."""


def selection_problem(graph: Graph, node_ids: Iterable[str]) -> str | None:
    """Why the selected nodes cannot become one block (one line naming the nodes), or None."""
    try:
        boundary(graph, list(node_ids))
    except UserBlockError as exc:
        return exc.message
    return None


def definition_from_selection(
    graph: Graph,
    node_ids: Iterable[str],
    name: str,
    description: str = "",
    exposed: Sequence[Exposure] = (),
) -> UserBlockDef:
    """A checked definition of the selected nodes; UserBlockError says why there is none."""
    ids = list(node_ids)
    name = check_block_name(name)
    heads, output = boundary(graph, ids)
    chosen = set(ids)
    order = [nid for nid in graph.topological_order() if nid in chosen]
    edges = [[SUB_INPUT, graph.nodes[h].name] for h in heads if not graph.inputs_of(h)]
    for nid in order:
        for edge in graph.inputs_of(nid):
            src = graph.nodes[edge.src].name if edge.src in chosen else SUB_INPUT
            edges.append([src, graph.nodes[nid].name])
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "id": free_id(block_id_for(name)),
        "name": name,
        "description": description.strip(),
        "layers": [
            {
                "name": graph.nodes[nid].name,
                "block": graph.nodes[nid].block,
                "params": dict(graph.nodes[nid].params),
            }
            for nid in order
        ],
        "edges": edges,
        "output": graph.nodes[output].name,
        "exposed": [{"name": n, "bindings": [list(b) for b in binds]} for n, binds in exposed],
    }
    return parse_definition(doc, None)


def boundary(graph: Graph, ids: list[str]) -> tuple[list[str], str]:
    """(nodes fed from outside or by nothing, the one node whose output leaves the selection)."""
    if not ids:
        raise UserBlockError(None, "select the layers to save as a block first")
    chosen = set(ids)
    for nid in ids:
        node = graph.nodes[nid]
        if node.block in ("input", "output"):
            raise UserBlockError(
                None, f"{node.spec.title} '{node.name}' cannot be part of a block: leave it out"
            )
    feeds: dict[str, list[str]] = {}
    heads = []
    for nid in ids:
        edges = graph.inputs_of(nid)
        if not edges:
            heads.append(nid)
        for edge in edges:
            if edge.src not in chosen:
                feeds.setdefault(edge.src, []).append(graph.nodes[nid].name)
                heads.append(nid)
    if len(feeds) > 1:
        listed = " and ".join(
            f"'{graph.nodes[src].name}' (into '{dst[0]}')" for src, dst in feeds.items()
        )
        raise UserBlockError(None, f"a block takes one input, but the selection is fed by {listed}")
    if feeds and any(not graph.inputs_of(nid) for nid in ids):
        loose = next(graph.nodes[nid].name for nid in ids if not graph.inputs_of(nid))
        raise UserBlockError(
            None, f"a block takes one input, but '{loose}' is not wired to anything: wire it"
        )
    leaving = [nid for nid in ids if any(e.dst not in chosen for e in graph.consumers(nid))]
    if not leaving:
        leaving = [nid for nid in ids if not graph.consumers(nid)]
    if len(leaving) != 1:
        names = " and ".join(f"'{graph.nodes[n].name}'" for n in leaving[:4])
        verb = "both lead" if len(leaving) == 2 else "all lead"
        raise UserBlockError(
            None, f"a block has one output, but {names} {verb} out of the selection"
        )
    return list(dict.fromkeys(heads)), leaving[0]
