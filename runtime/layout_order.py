"""Order and spacing inside the layers of the layered layout (runtime.layout).

Order: barycentre sweeps down and up with adjacent-pair transposition, keeping the ordering with
the fewest crossings seen. Spacing: the priority method — the main path first (so it runs
straight), then real nodes by how connected they are, dummy nodes last — each node moves to the
mean of its neighbours as far as the nodes already placed allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from runtime.layout_columns import Columns

_MAIN_PRIORITY = 1_000_000
_LARGE_LAYER = 40
"""Transposition is skipped in layers wider than this (its cost grows with the square)."""


@dataclass
class Rows:
    """Node ids per layer (real and dummy) and the links between adjacent layers."""

    layers: list[list[str]]
    preds: dict[str, list[str]] = field(default_factory=dict)
    succs: dict[str, list[str]] = field(default_factory=dict)
    dummies: set[str] = field(default_factory=set)


def order_rows(rows: Rows, sweeps: int = 8) -> None:
    """Reorder every layer of `rows` in place to few crossings."""
    layers = rows.layers
    best = [list(layer) for layer in layers]
    best_count = _total_crossings(rows)
    for sweep in range(sweeps):
        if best_count == 0:
            break
        down = sweep % 2 == 0
        sequence = range(1, len(layers)) if down else range(len(layers) - 2, -1, -1)
        for i in sequence:
            ref = layers[i - 1] if down else layers[i + 1]
            index = {nid: k for k, nid in enumerate(ref)}
            layers[i] = _by_barycentre(layers[i], index, rows.preds if down else rows.succs)
        for i in range(len(layers)):
            _transpose(rows, i)
        count = _total_crossings(rows)
        if count < best_count:
            best, best_count = [list(layer) for layer in layers], count
    rows.layers[:] = best


def _by_barycentre(row: list[str], index: dict[str, int], neighbours: dict[str, list[str]]):
    def key(item: tuple[int, str]) -> tuple[float, int]:
        k, nid = item
        near = [index[n] for n in neighbours[nid] if n in index]
        return (sum(near) / len(near) if near else float(k), k)

    return [nid for _, nid in sorted(enumerate(row), key=key)]


def _pair_crossings(upper: list[str], lower: list[str], succs: dict[str, list[str]]) -> int:
    where = {nid: k for k, nid in enumerate(lower)}
    ends = [(k, where[s]) for k, nid in enumerate(upper) for s in succs[nid] if s in where]
    return sum(
        1
        for i, (a0, a1) in enumerate(ends)
        for b0, b1 in ends[i + 1 :]
        if (a0 - b0) * (a1 - b1) < 0
    )


def _total_crossings(rows: Rows) -> int:
    layers = rows.layers
    return sum(
        _pair_crossings(layers[i], layers[i + 1], rows.succs) for i in range(len(layers) - 1)
    )


def _local_crossings(rows: Rows, i: int) -> int:
    layers, count = rows.layers, 0
    if i > 0:
        count += _pair_crossings(layers[i - 1], layers[i], rows.succs)
    if i + 1 < len(layers):
        count += _pair_crossings(layers[i], layers[i + 1], rows.succs)
    return count


def _transpose(rows: Rows, i: int) -> None:
    layer = rows.layers[i]
    if len(layer) < 2 or len(layer) > _LARGE_LAYER:
        return
    improved = True
    current = _local_crossings(rows, i)
    while improved and current:
        improved = False
        for k in range(len(layer) - 1):
            layer[k], layer[k + 1] = layer[k + 1], layer[k]
            count = _local_crossings(rows, i)
            if count < current:
                current, improved = count, True
            else:
                layer[k], layer[k + 1] = layer[k + 1], layer[k]


def place_across(
    rows: Rows, columns: Columns, main: set[str], gap: float, column_gap: float
) -> dict[str, float]:
    """Position across the flow of every node: per column by the priority method, then the
    columns side by side, `column_gap` apart beyond the usual `gap`."""
    x: dict[str, float] = {}
    offset = 0.0
    for column in range(columns.count):
        layers = [rows.layers[i] for i in range(len(rows.layers)) if columns.column_of[i] == column]
        local = _place_column(layers, rows, main, gap)
        if not local:
            continue
        low, high = min(local.values()), max(local.values())
        shift = 0.0 if column == 0 else offset - low
        for nid, value in local.items():
            x[nid] = value + shift
        offset = high + shift + gap + column_gap
    return x


def _place_column(
    layers: list[list[str]], rows: Rows, main: set[str], gap: float
) -> dict[str, float]:
    x = {nid: (k - (len(row) - 1) / 2) * gap for row in layers for k, nid in enumerate(row)}
    for sweep in range(5):
        down = sweep % 2 == 0
        neighbours = rows.preds if down else rows.succs
        for row in layers if down else layers[::-1]:
            wanted = [_wanted(nid, neighbours[nid], x, main) for nid in row]
            priority = [_priority(nid, rows, main) for nid in row]
            for nid, value in zip(row, _place_row([x[n] for n in row], wanted, priority, gap)):
                x[nid] = value
    return x


def _wanted(nid: str, near: list[str], x: dict[str, float], main: set[str]) -> float:
    near = [n for n in near if n in x]
    if nid in main:
        spine = [n for n in near if n in main]
        near = spine or near
    return sum(x[n] for n in near) / len(near) if near else x[nid]


def _priority(nid: str, rows: Rows, main: set[str]) -> int:
    if nid in main:
        return _MAIN_PRIORITY
    if nid in rows.dummies:
        return 0
    return 10 + len(rows.preds[nid]) + len(rows.succs[nid])


def _place_row(pos: list[float], wanted: list[float], priority: list[int], gap: float):
    """Move each node, highest priority first, as near to `wanted` as the placed ones allow,
    pushing the unplaced ones aside; keeps the order and `gap` between neighbours."""
    n = len(pos)
    placed = [False] * n
    for i in sorted(range(n), key=lambda k: (-priority[k], k)):
        # The nearest placed neighbour on each side bounds tightest (placed ones keep the gap).
        left = next((j for j in range(i - 1, -1, -1) if placed[j]), None)
        right = next((j for j in range(i + 1, n) if placed[j]), None)
        low = float("-inf") if left is None else pos[left] + (i - left) * gap
        high = float("inf") if right is None else pos[right] - (right - i) * gap
        pos[i] = min(max(wanted[i], low), high)
        for j in range(i + 1, n):
            if placed[j]:
                break
            pos[j] = max(pos[j], pos[i] + (j - i) * gap)
        for j in range(i - 1, -1, -1):
            if placed[j]:
                break
            pos[j] = min(pos[j], pos[i] - (i - j) * gap)
        placed[i] = True
    return pos
