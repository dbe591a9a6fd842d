"""Canvas speed on a 500-node, 1000-edge graph: full viewport repaint at 1600×1000 at several zooms,
for the auto-layout (a tall column), for a 25×20 grid (the most nodes on screen) and for the
column in 25 groups of 20 blocks (frames and their titles), and add /
connect including re-analysis and repaint. Prints milliseconds and the ratio to the targets (16 ms,
50 ms). A first repaint is the median of five arrivals at the zoom from 80 %."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPointF  # noqa: E402

from runtime.graph import Graph  # noqa: E402
from runtime.groups import GROUP_KEY  # noqa: E402
from runtime.project import Project  # noqa: E402
from studio.app import application, build_window  # noqa: E402
from runtime.layout import X_GAP, Y_GAP, layered_positions  # noqa: E402
from studio.paths import AppPaths  # noqa: E402


def big_project(n: int = 500, edges: int = 1000) -> Project:
    """A valid-ish DAG: a conv chain with Add merges wiring earlier outputs in (n nodes, ~edges
    wires)."""
    g = Graph()
    ids = [g.add_node("input").id]
    adds = []
    while len(g.nodes) < n - 1:
        if len(g.nodes) % 4 == 3:
            node = g.add_node("add")
            adds.append(node.id)
        else:
            node = g.add_node("conv2d", {"out_channels": 16})
        g.connect(ids[-1], node.id)
        ids.append(node.id)
    out = g.add_node("output")
    g.connect(ids[-1], out.id)
    for k in range(len(g.edges), edges):  # extra inputs into merges, from nodes above them
        dst = adds[k % len(adds)]
        pos = ids.index(dst)
        g.connect(ids[pos - 1 - (k % 3)], dst)
    for nid, pos in layered_positions(g, fold=False).items():  # one tall column, as ever
        g.move(nid, pos)
    return Project(g, (16, 32, 32), name="bench")


def grid_project() -> Project:
    """The same graph laid out as a 25×20 grid: the most nodes and wires on screen at any zoom."""
    project = big_project()
    for k, nid in enumerate(list(project.graph.nodes)):
        project.graph.move(nid, ((k % 25) * X_GAP, (k // 25) * Y_GAP))
    return project


def grouped_project(size: int = 20) -> Project:
    """The same graph in groups of `size` consecutive blocks (runtime.groups), expanded: every
    frame and its title drawn too."""
    project = big_project()
    for k, nid in enumerate(list(project.graph.nodes)):
        project.graph.set_extra(nid, GROUP_KEY, f"stage{k // size + 1}")
    return project


def repaint_ms(window, set_zoom, away, repeats: int = 15, rounds: int = 5) -> tuple[float, float]:
    """(first, median) milliseconds of a synchronous repaint of the 1600×1000 viewport.

    The first includes `set_zoom()` itself (the zoom change and any level-of-detail switch) and
    fills the items' pixmap caches at the new zoom; later repaints reuse them. The first is the
    median of `rounds` arrivals from another zoom (`away`): one arrival on a loaded machine says
    little."""
    viewport = window.view.viewport()
    firsts = []
    for _ in range(rounds):
        away()
        viewport.repaint()
        t = time.perf_counter()
        set_zoom()
        viewport.repaint()
        firsts.append((time.perf_counter() - t) * 1000)
    times = []
    for _ in range(repeats - 1):
        t = time.perf_counter()
        viewport.repaint()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(firsts), statistics.median(times)


def edit_ms(window, app, repeats: int = 10) -> tuple[float, float]:
    """Median ms to add a node, and to connect one, each followed by re-analysis and a repaint."""
    add, connect = [], []
    doc = window.doc
    last = [n for n in doc.project.graph.nodes.values() if n.block == "conv2d"][-1].id
    for i in range(repeats):
        t = time.perf_counter()
        nid = window.editing.add_block("relu", QPointF(400 + i * 10, 400))
        doc.refresh_analysis()
        window.view.viewport().repaint()
        add.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        doc.connect(last, nid)
        doc.refresh_analysis()
        window.view.viewport().repaint()
        connect.append((time.perf_counter() - t) * 1000)
        app.processEvents()
    return statistics.median(add), statistics.median(connect)


def in_view(window) -> int:
    """Node items inside the viewport."""
    view = window.view
    return sum(1 for i in view.items(view.viewport().rect()) if hasattr(i, "node_id"))


def zoom_to(window, scale: float | None):
    """A function that sets the view to `scale` about the graph's middle node (None: fit to
    view)."""
    view = window.view
    nodes = list(window.scene.nodes.values())
    middle = nodes[len(nodes) // 2]

    def apply() -> None:
        if scale is None:
            view.fit()
            return
        view.resetTransform()
        view.scale(scale, scale)
        view.centerOn(middle)

    return apply


def measure(app, project: Project, label: str, tmp: str) -> list[tuple[str, float, float]]:
    """Repaint figures at several zooms (and, for the first layout, add/connect figures)."""
    window = build_window(AppPaths.under(tmp), project)
    window.resize(1600 + 600, 1000 + 400)
    window.show()
    window.view.setFixedSize(1600, 1000)
    app.processEvents()
    rows = []
    for name, scale in (
        ("100%", 1.0),
        ("fit", None),
        ("60%", 0.6),
        ("50%", 0.5),
        ("40%", 0.4),
        ("25%", 0.25),
    ):
        first, median = repaint_ms(window, zoom_to(window, scale), zoom_to(window, 0.8))
        shown = in_view(window)
        rows += [
            (f"{label}, {name} ({shown} nodes), first", first, 16),
            (f"{label}, {name} ({shown} nodes), median", median, 16),
        ]
    if label == "layered":
        zoom_to(window, 0.5)()
        add, connect = edit_ms(window, app)
        rows += [
            ("add node + analysis + repaint", add, 50),
            ("connect + analysis + repaint", connect, 50),
        ]
    window.doc.undo_stack.setClean()
    window.close()
    return rows


def main() -> None:
    """Print every figure against its target."""
    app = application()
    project = big_project()
    print(
        f"graph: {len(project.graph.nodes)} nodes, {len(project.graph.edges)} edges; "
        "viewport 1600×1000"
    )
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(app, project, "layered", tmp) + measure(app, grid_project(), "grid", tmp)
        rows += measure(app, grouped_project(), "grouped", tmp)
    for label, ms, target in rows:
        print(f"{label:44s} {ms:7.2f} ms   target {target} ms   ratio {ms / target:.2f}")


if __name__ == "__main__":
    main()
