"""Where each layer of the layered layout goes: which column, which row within it.

Two rules, both general (no network is special-cased):
- Resolution bands. Layers whose nodes have equal spatial resolution share a band of rows. While the
  resolution falls the flow runs down one column; when it rises again (a decoder) a new column
  starts beside it and climbs back up band by band, so each decoder level sits level with the
  encoder level of the same resolution and the skips between them run straight across.
- Folds. A single column too long for a readable fit-to-view is cut into several side by side,
  preferably where the resolution changes and where only one wire crosses the cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Sequence


@dataclass
class Columns:
    """Per layer: its column and its row (position along the flow) inside that column."""

    column_of: list[int] = field(default_factory=list)
    row_of: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many columns there are."""
        return max(self.column_of, default=-1) + 1


def split_columns(
    order: Sequence[str],
    layer: dict[str, int],
    rank: dict[str, int],
    fold_rows: int,
    wires_across: Sequence[int] = (),
    main: Collection[str] = (),
) -> Columns:
    """Columns and rows for `layer` (node → layer) given resolution `rank` (node → 0 = finest).
    A layer's resolution is that of its node on the `main` path (a side branch's stride does not
    count). `fold_rows` > 0 folds a single column into columns of about that many rows;
    `wires_across[l]` (how many wires cross the boundary just above layer l) steers the cuts."""
    count = max(layer.values()) + 1
    layer_rank = [0] * count
    on_main = [False] * count
    for nid in order:
        i = layer[nid]
        if nid in main:
            layer_rank[i], on_main[i] = rank.get(nid, 0), True
        elif not on_main[i]:
            layer_rank[i] = max(layer_rank[i], rank.get(nid, 0))
    runs = _monotone_runs(layer_rank)
    # A decoder climbs back level by level; one upsampling straight to the input resolution (an
    # FCN's head) is no second arm.
    if any(rising and len(set(layer_rank[a : b + 1])) >= 2 for a, b, rising in runs):
        return _banded(runs, layer_rank)
    if fold_rows <= 0 or count <= fold_rows:
        return Columns([0] * count, list(range(count)))
    return _folded(count, fold_rows, layer_rank, wires_across)


def _monotone_runs(layer_rank: list[int]) -> list[tuple[int, int, bool]]:
    """(first layer, last layer, rising) of each stretch where the resolution only falls or only
    rises again (rising: rank going back down towards 0)."""
    runs: list[tuple[int, int, bool]] = []
    start, rising = 0, False
    for i in range(1, len(layer_rank)):
        step = layer_rank[i] - layer_rank[i - 1]
        if (step < 0 and not rising) or (step > 0 and rising):
            runs.append((start, i - 1, rising))
            start, rising = i, step < 0
    runs.append((start, len(layer_rank) - 1, rising))
    return runs


def _banded(runs: list[tuple[int, int, bool]], layer_rank: list[int]) -> Columns:
    visits: list[tuple[int, int, int, bool, int]] = []  # rank, first, last, rising, column
    for column, (first, last, rising) in enumerate(runs):
        begin = first
        for i in range(first, last + 1):
            if i == last or layer_rank[i + 1] != layer_rank[i]:
                visits.append((layer_rank[i], begin, i, rising, column))
                begin = i + 1
    height: dict[int, int] = {}
    for r, first, last, _, _ in visits:
        height[r] = max(height.get(r, 0), last - first + 1)
    top: dict[int, int] = {}
    row = 0
    for r in sorted(height):
        top[r] = row
        row += height[r]
    columns = Columns([0] * len(layer_rank), [0] * len(layer_rank))
    for r, first, last, rising, column in visits:
        for i in range(first, last + 1):
            step = i - first
            columns.column_of[i] = column
            columns.row_of[i] = top[r] + (height[r] - 1 - step if rising else step)
    return columns


def _folded(
    count: int, fold_rows: int, layer_rank: list[int], wires_across: Sequence[int]
) -> Columns:
    pieces = -(-count // fold_rows)
    cuts = [0]
    for k in range(1, pieces):
        ideal = k * count / pieces
        slack = max(2, int(count / pieces * 0.3))
        low, high = max(cuts[-1] + 2, int(ideal) - slack), min(count - 1, int(ideal) + slack)
        if low > high:
            continue
        cuts.append(
            min(range(low, high + 1), key=lambda i: _cut_cost(i, ideal, layer_rank, wires_across))
        )
    cuts.append(count)
    columns = Columns([0] * count, [0] * count)
    for column, (first, end) in enumerate(zip(cuts, cuts[1:])):
        for i in range(first, end):
            columns.column_of[i] = column
            columns.row_of[i] = i - first
    return columns


def _cut_cost(i: int, ideal: float, layer_rank: list[int], wires_across: Sequence[int]) -> float:
    """Lower is a better place to fold: one wire across, a change of resolution, near the ideal."""
    crossing = wires_across[i] if i < len(wires_across) else 1
    new_band = layer_rank[i] != layer_rank[i - 1]
    return 100.0 * max(0, crossing - 1) - (8.0 if new_band else 0.0) + abs(i - ideal)
