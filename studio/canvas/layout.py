"""Auto-layout: layered, top to bottom, with few crossings (barycentre ordering). No Qt here."""
from __future__ import annotations

from runtime.graph import Graph

X_GAP = 220.0
Y_GAP = 100.0


def layered_positions(graph: Graph, sweeps: int = 6) -> dict[str, tuple[float, float]]:
    """Centre positions for every node: layer = longest path from a source; long wires get dummy
    nodes in the layers they cross (so shortcuts run beside the chain); order = barycentre sweeps."""
    layer: dict[str, int] = {}
    preds: dict[str, list[str]] = {nid: [] for nid in graph.nodes}
    succs: dict[str, list[str]] = {nid: [] for nid in graph.nodes}
    order = graph.topological_order()
    for nid in order:
        sources = [e.src for e in graph.inputs_of(nid)]
        layer[nid] = 1 + max((layer[p] for p in sources), default=-1)
    for edge in graph.edges:
        chain = [edge.src]
        for depth in range(layer[edge.src] + 1, layer[edge.dst]):
            dummy = f"~{edge.src}>{edge.dst}:{edge.port}@{depth}"
            layer[dummy], preds[dummy], succs[dummy] = depth, [], []
            chain.append(dummy)
        chain.append(edge.dst)
        for a, b in zip(chain, chain[1:]):
            succs[a].append(b)
            preds[b].append(a)
    rows: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for nid in order + [d for d in layer if d not in graph.nodes]:
        rows[layer[nid]].append(nid)
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        sequence = range(1, len(rows)) if down else range(len(rows) - 2, -1, -1)
        for i in sequence:
            ref = rows[i - 1] if down else rows[i + 1]
            index = {nid: k for k, nid in enumerate(ref)}
            rows[i] = _by_barycentre(rows[i], index, preds if down else succs)
    x = _coordinates(rows, preds, succs)
    positions = {nid: (x[nid], layer[nid] * Y_GAP) for nid in graph.nodes}
    return positions


def _coordinates(rows: list[list[str]], preds: dict[str, list[str]], succs: dict[str, list[str]],
                 passes: int = 4) -> dict[str, float]:
    """x of every node: each moves towards the mean of its neighbours, keeping its order and X_GAP apart."""
    x = {nid: (k - (len(row) - 1) / 2) * X_GAP for row in rows for k, nid in enumerate(row)}
    for sweep in range(passes):
        neighbours = preds if sweep % 2 == 0 else succs
        for row in (rows if sweep % 2 == 0 else rows[::-1]):
            wanted = [sum(x[n] for n in neighbours[nid]) / len(neighbours[nid]) if neighbours[nid] else x[nid]
                      for nid in row]
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


def crossings(graph: Graph, positions: dict[str, tuple[float, float]]) -> int:
    """How many pairs of wires between adjacent layers cross (for tests and comparisons)."""
    spans = [(positions[e.src], positions[e.dst]) for e in graph.edges]
    count = 0
    for i, (a0, a1) in enumerate(spans):
        for b0, b1 in spans[i + 1:]:
            if a0[1] == b0[1] and a1[1] == b1[1] and (a0[0] - b0[0]) * (a1[0] - b1[0]) < 0:
                count += 1
    return count
