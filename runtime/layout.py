"""The layered (Sugiyama) layout used by auto-layout, the template generators, expanding a composite
block and importing a model. Deterministic: the same graph always gets the same positions.

Steps: layers by longest path; dummy nodes on long wires (so a shortcut keeps a lane of its own
beside the path it skips); order within layers by barycentre sweeps, keeping the order with the
fewest crossings; positions by the priority method, the longest path first so that the main path
runs straight. Two rules make real networks read like their paper figures (runtime.layout_columns):
layers of equal spatial resolution share a band, so a decoder climbing back up to the input
resolution sits beside its encoder (U-Net comes out as a U); and a long single column folds into
several side by side, at resolution changes where possible (ResNet's stages stand side by side).
Flow runs top to bottom ("down") or left to right ("right"), a per-project choice.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterable, Literal, Mapping, Sequence

from runtime.errors import ConvStudioError
from runtime.graph import Graph
from runtime.layout_columns import Columns, split_columns
from runtime.layout_order import Rows, order_rows, place_across

if TYPE_CHECKING:
    from runtime.project import Project

Direction = Literal["down", "right"]
DIRECTIONS: tuple[Direction, ...] = ("down", "right")
"""Flow directions: top to bottom, or left to right."""
X_GAP = 220.0
"""Horizontal distance between neighbours in a layer (top-to-bottom flow)."""
Y_GAP = 100.0
"""Vertical distance between layers (top-to-bottom flow)."""
ACROSS_GAP: dict[str, float] = {"down": X_GAP, "right": 86.0}
"""Distance between neighbours in a layer, per direction."""
ALONG_GAP: dict[str, float] = {"down": Y_GAP, "right": 232.0}
"""Distance between consecutive layers, per direction."""
COLUMN_GAP: dict[str, float] = {"down": 120.0, "right": 90.0}
"""Extra space between two columns (folds or the two arms of a U)."""
CANVAS = (1150.0, 640.0)
"""Width and height of the canvas at the default window size, which a folded layout aims to fill."""
FULL_DETAIL = 0.45
"""A column that fits the canvas at this zoom or more stays whole (the canvas shows every text in
full from 0.6, titles alone below that: studio.canvas.style)."""
Position = tuple[float, float]


class LayoutDirectionError(ConvStudioError):
    """A project's layout direction is not one of DIRECTIONS."""


def layered_positions(
    graph: Graph,
    direction: Direction = "down",
    sizes: Mapping[str, int | None] | None = None,
    fold: bool = True,
) -> dict[str, Position]:
    """Centre positions for every node of `graph` (see `layered_layout`)."""
    edges = [(e.src, e.dst, e.port) for e in graph.edges]
    return layered_layout(graph.topological_order(), edges, direction, sizes, fold)


def apply_layout(
    graph: Graph, direction: Direction = "down", sizes: Mapping[str, int | None] | None = None
) -> None:
    """Put every node of `graph` at its layered position (without events: for graphs being
    built)."""
    for nid, pos in layered_positions(graph, direction, sizes).items():
        graph.nodes[nid].pos = pos


def project_direction(project: "Project") -> Direction:
    """The project's flow direction (saved in its file under "layout"); "down" when never chosen."""
    section = project.extra.get("layout", {})
    value = section.get("direction", "down") if isinstance(section, dict) else section
    if value not in DIRECTIONS:
        raise LayoutDirectionError(
            f"layout direction {value!r} is not one of {', '.join(DIRECTIONS)}"
        )
    return value


def set_project_direction(project: "Project", direction: Direction) -> None:
    """Remember `direction` in the project (it is saved with the file)."""
    if direction not in DIRECTIONS:
        raise LayoutDirectionError(
            f"layout direction {direction!r} is not one of {', '.join(DIRECTIONS)}"
        )
    project.extra["layout"] = {"direction": direction}


def spatial_sizes(project: "Project") -> dict[str, int | None]:
    """Each analysable node's output resolution (height × width; None for a flat output)."""
    from runtime.analysis import analyze

    sizes: dict[str, int | None] = {}
    for nid, figures in analyze(project).nodes.items():
        shape = figures.out_shape
        sizes[nid] = shape[-1] * shape[-2] if len(shape) >= 3 else None
    return sizes


def project_positions(project: "Project", fold: bool = True) -> dict[str, Position]:
    """The layout of a whole project: its direction, its nodes' resolutions."""
    return layered_positions(
        project.graph, project_direction(project), spatial_sizes(project), fold
    )


def layered_layout(
    order: Sequence[str],
    edges: Iterable[tuple[str, str, int]],
    direction: Direction = "down",
    sizes: Mapping[str, int | None] | None = None,
    fold: bool = True,
) -> dict[str, Position]:
    """Centre positions for nodes given in topological `order` with wires (src, dst, port).
    `sizes` (a node's output height × width) lets equal resolutions share a band; `fold` lets a
    long single column fold into several. The first layer sits at 0 along the flow."""
    edges = list(edges)
    if direction not in DIRECTIONS:
        raise LayoutDirectionError(f"layout direction {direction!r} is not one of down, right")
    if not order:
        return {}
    layer = _longest_path_layers(order, edges)
    along, across = ALONG_GAP[direction], ACROSS_GAP[direction]
    rank = _resolution_ranks(order, edges, sizes or {})
    count = max(layer.values()) + 1
    fold_rows = _fold_rows(fold, direction, count)
    main = _main_path(order, edges, layer)
    columns = split_columns(order, layer, rank, fold_rows, _wires_across(edges, layer, count), main)
    rows = _rows_with_dummies(order, edges, layer, columns)
    order_rows(rows)
    cross = place_across(rows, columns, main, across, COLUMN_GAP[direction])
    result: dict[str, Position] = {}
    for nid in order:
        a, c = columns.row_of[layer[nid]] * along, cross[nid]
        result[nid] = (c, a) if direction == "down" else (a, c)
    return result


def _wires_across(
    edges: list[tuple[str, str, int]], layer: dict[str, int], count: int
) -> list[int]:
    """Per layer l: how many wires cross the boundary just above it (from above l to l or below)."""
    across = [0] * (count + 1)
    for src, dst, _ in edges:
        across[layer[src] + 1] += 1
        across[layer[dst] + 1] -= 1
    for i in range(1, count + 1):
        across[i] += across[i - 1]
    return across


def _fold_rows(fold: bool, direction: str, layers: int) -> int:
    """How many layers one column may hold before the layout folds (0: never fold). A column that
    fits the default canvas at `FULL_DETAIL` zoom or more stays whole; a longer one folds into as
    many columns as give a clearly larger fit-to-view zoom."""
    if not fold:
        return 0
    along, across = ALONG_GAP[direction], ACROSS_GAP[direction] * 2 + COLUMN_GAP[direction]
    view_across, view_along = CANVAS if direction == "down" else CANVAS[::-1]

    def zoom(columns: int) -> float:
        per = -(-layers // columns)
        return min(1.0, view_across / (columns * across), view_along / (per * along))

    if zoom(1) >= FULL_DETAIL:
        return 0
    best = 1
    for columns in range(2, 16):
        if zoom(columns) > zoom(best) * 1.15:  # fold again only for a clear gain
            best = columns
    return 0 if best == 1 else -(-layers // best)


def _longest_path_layers(order: Sequence[str], edges: list[tuple[str, str, int]]) -> dict[str, int]:
    sources: dict[str, list[str]] = {nid: [] for nid in order}
    for src, dst, _ in edges:
        sources[dst].append(src)
    layer: dict[str, int] = {}
    for nid in order:
        layer[nid] = 1 + max((layer[p] for p in sources[nid]), default=-1)
    return layer


def _resolution_ranks(
    order: Sequence[str], edges: list[tuple[str, str, int]], sizes: Mapping[str, int | None]
) -> dict[str, int]:
    """0 for the finest resolution level, 1 for one octave coarser... A node's level is its
    inputs' level plus the octaves it scales down by (minus those it scales up by), so an unpadded
    conv trimming a border (572 → 570) stays at its level. A flat or 1×1 output (a global pool, a
    classifier, a squeeze-excite branch) keeps the level of its inputs: it never starts a band."""
    sources: dict[str, list[str]] = {nid: [] for nid in order}
    for src, dst, _ in edges:
        sources[dst].append(src)
    level: dict[str, int] = {}
    side: dict[str, float | None] = {}
    for nid in order:
        size = sizes.get(nid)
        side[nid] = math.sqrt(size) if size is not None and size > 1 else None
        steps = [level[p] + _octaves(side[p], side[nid]) for p in sources[nid]]
        level[nid] = max(steps, default=0)
    low = min(level.values(), default=0)
    return {nid: value - low for nid, value in level.items()}


def _octaves(before: float | None, after: float | None) -> int:
    """How many octaves a resolution falls by (negative: rises); 0 when either is unknown."""
    if before is None or after is None:
        return 0
    change = math.log2(before / after)
    # A crop by less than a third (U-Net's skips) is no change of level; a stride of 2 is one.
    return int(math.copysign(math.floor(abs(change) + 0.4), change))


def _rows_with_dummies(
    order: Sequence[str],
    edges: list[tuple[str, str, int]],
    layer: dict[str, int],
    columns: Columns,
) -> Rows:
    """Nodes per layer, with a dummy in every layer a wire crosses inside one column."""
    rows = Rows([[] for _ in range(max(layer.values()) + 1)])
    for nid in order:
        rows.layers[layer[nid]].append(nid)
        rows.preds[nid], rows.succs[nid] = [], []
    for src, dst, port in edges:
        if columns.column_of[layer[src]] != columns.column_of[layer[dst]]:
            continue  # a wire to another column (a skip across a U, a fold) gets no lane
        chain = [src]
        for depth in range(layer[src] + 1, layer[dst]):
            dummy = f"~{src}>{dst}:{port}@{depth}"
            rows.layers[depth].append(dummy)
            rows.preds[dummy], rows.succs[dummy] = [], []
            rows.dummies.add(dummy)
            chain.append(dummy)
        chain.append(dst)
        for a, b in zip(chain, chain[1:]):
            rows.succs[a].append(b)
            rows.preds[b].append(a)
    return rows


def _main_path(
    order: Sequence[str], edges: list[tuple[str, str, int]], layer: dict[str, int]
) -> set[str]:
    """The nodes of one longest path (the spine that runs straight)."""
    preds: dict[str, list[str]] = {nid: [] for nid in order}
    for src, dst, _ in edges:
        preds[dst].append(src)
    first = {nid: -k for k, nid in enumerate(order)}
    end = max(order, key=lambda nid: (layer[nid], first[nid]))
    path = {end}
    while preds[end]:
        end = max(preds[end], key=lambda p: (layer[p], first[p]))
        path.add(end)
    return path


def crossings(graph: Graph, positions: dict[str, Position]) -> int:
    """How many pairs of wires between adjacent layers cross (for tests and comparisons)."""
    spans = [(positions[e.src], positions[e.dst]) for e in graph.edges]
    count = 0
    for i, (a0, a1) in enumerate(spans):
        for b0, b1 in spans[i + 1 :]:
            if a0[1] == b0[1] and a1[1] == b1[1] and (a0[0] - b0[0]) * (a1[0] - b1[0]) < 0:
                count += 1
    return count
