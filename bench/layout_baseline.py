"""The layered layout as it was before the resolution bands, folds and priority placement, kept
only so that bench/bench_layout.py can measure both side by side: top to bottom with few
crossings (barycentre ordering). Deterministic: the same graph always gets the same positions."""

from __future__ import annotations

from typing import Iterable, Sequence

from runtime.graph import Graph

X_GAP = 220.0
"""Horizontal distance between neighbours in a layer."""
Y_GAP = 100.0
"""Vertical distance between layers."""
Position = tuple[float, float]


def layered_positions(graph: Graph, sweeps: int = 6) -> dict[str, Position]:
    """Centre positions for every node of `graph` (see `layered_layout`)."""
    edges = [(e.src, e.dst, e.port) for e in graph.edges]
    return layered_layout(graph.topological_order(), edges, sweeps)


def apply_layout(graph: Graph) -> None:
    """Put every node of `graph` at its layered position (without events)."""
    for nid, pos in layered_positions(graph).items():
        graph.nodes[nid].pos = pos


def layered_layout(
    order: Sequence[str], edges: Iterable[tuple[str, str, int]], sweeps: int = 6
) -> dict[str, Position]:
    """Centre positions for nodes given in topological `order` with wires (src, dst, port): layer =
    longest path from a source; long wires get dummy nodes in the layers they cross (so shortcuts
    run beside the chain); order within a layer = barycentre sweeps; the top layer is at y = 0."""
    edges = list(edges)
    layer: dict[str, int] = {}
    preds: dict[str, list[str]] = {nid: [] for nid in order}
    succs: dict[str, list[str]] = {nid: [] for nid in order}
    sources: dict[str, list[str]] = {nid: [] for nid in order}
    for src, dst, _ in edges:
        sources[dst].append(src)
    for nid in order:
        layer[nid] = 1 + max((layer[p] for p in sources[nid]), default=-1)
    for src, dst, port in edges:
        chain = [src]
        for depth in range(layer[src] + 1, layer[dst]):
            dummy = f"~{src}>{dst}:{port}@{depth}"
            layer[dummy], preds[dummy], succs[dummy] = depth, [], []
            chain.append(dummy)
        chain.append(dst)
        for a, b in zip(chain, chain[1:]):
            succs[a].append(b)
            preds[b].append(a)
    real = set(order)
    rows: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for nid in list(order) + [d for d in layer if d not in real]:
        rows[layer[nid]].append(nid)
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        sequence = range(1, len(rows)) if down else range(len(rows) - 2, -1, -1)
        for i in sequence:
            ref = rows[i - 1] if down else rows[i + 1]
            index = {nid: k for k, nid in enumerate(ref)}
            rows[i] = _by_barycentre(rows[i], index, preds if down else succs)
    x = _coordinates(rows, preds, succs)
    return {nid: (x[nid], layer[nid] * Y_GAP) for nid in order}


def _coordinates(
    rows: list[list[str]], preds: dict[str, list[str]], succs: dict[str, list[str]], passes: int = 4
) -> dict[str, float]:
    """x of every node: each moves towards the mean of its neighbours, keeping its order and X_GAP
    apart."""
    x = {nid: (k - (len(row) - 1) / 2) * X_GAP for row in rows for k, nid in enumerate(row)}
    for sweep in range(passes):
        neighbours = preds if sweep % 2 == 0 else succs
        for row in rows if sweep % 2 == 0 else rows[::-1]:
            wanted = [
                sum(x[n] for n in neighbours[nid]) / len(neighbours[nid])
                if neighbours[nid]
                else x[nid]
                for nid in row
            ]
            placed: list[float] = []
            for want in wanted:
                placed.append(want if not placed else max(want, placed[-1] + X_GAP))
            shift = sum(w - p for w, p in zip(wanted, placed)) / len(row) if row else 0.0
            for nid, p in zip(row, placed):
                x[nid] = p + min(0.0, shift)
    return x


def _by_barycentre(row: list[str], index: dict[str, int], neighbours) -> list[str]:
    def key(item: tuple[int, str]) -> tuple[float, int]:
        k, nid = item
        near = [index[n] for n in neighbours[nid] if n in index]
        return (sum(near) / len(near) if near else float(k), k)

    return [nid for _, nid in sorted(enumerate(row), key=key)]


def crossings(graph: Graph, positions: dict[str, Position]) -> int:
    """How many pairs of wires between adjacent layers cross (for tests and comparisons)."""
    spans = [(positions[e.src], positions[e.dst]) for e in graph.edges]
    count = 0
    for i, (a0, a1) in enumerate(spans):
        for b0, b1 in spans[i + 1 :]:
            if a0[1] == b0[1] and a1[1] == b1[1] and (a0[0] - b0[0]) * (a1[0] - b1[0]) < 0:
                count += 1
    return count
