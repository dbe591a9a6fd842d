"""Canvas speed on a 500-node, 1000-edge graph: full viewport repaint at 1600×1000, and add / connect
including re-analysis and repaint. Prints milliseconds and the ratio to the targets (16 ms, 50 ms)."""
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
from PySide6.QtGui import QImage, QPainter  # noqa: E402

from runtime.graph import Graph  # noqa: E402
from runtime.project import Project  # noqa: E402
from studio.app import application, build_window  # noqa: E402
from studio.canvas.layout import layered_positions  # noqa: E402
from studio.commands import Connect  # noqa: E402
from studio.paths import AppPaths  # noqa: E402


def big_project(n: int = 500, edges: int = 1000) -> Project:
    """A valid-ish DAG: a conv chain with Add merges wiring earlier outputs in (n nodes, ~edges wires)."""
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
    for nid, pos in layered_positions(g).items():
        g.move(nid, pos)
    return Project(g, (16, 32, 32), name="bench")


def repaint_ms(window, repeats: int = 15) -> tuple[float, float]:
    """(first, median) time to paint the whole 1600×1000 viewport (view.render = the viewport's paint
    path); the first paint at a new zoom fills the items' pixmap caches, later ones reuse them."""
    image = QImage(1600, 1000, QImage.Format_ARGB32_Premultiplied)
    times = []
    for _ in range(repeats):
        painter = QPainter(image)
        t = time.perf_counter()
        window.view.render(painter)  # paints the viewport's scene area exactly as a repaint does
        painter.end()
        times.append((time.perf_counter() - t) * 1000)
    return times[0], statistics.median(times)


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
        doc.execute(Connect(doc.project, last, nid))
        doc.refresh_analysis()
        window.view.viewport().repaint()
        connect.append((time.perf_counter() - t) * 1000)
        app.processEvents()
    return statistics.median(add), statistics.median(connect)


def main() -> None:
    """Build the window on the big graph and print the figures."""
    app = application()
    project = big_project()
    with tempfile.TemporaryDirectory() as tmp:
        window = build_window(AppPaths.under(tmp), project)
        window.resize(1600 + 600, 1000 + 400)
        window.show()
        view = window.view
        view.setFixedSize(1600, 1000)
        app.processEvents()
        print(f"graph: {len(project.graph.nodes)} nodes, {len(project.graph.edges)} edges")
        middle = window.scene.nodes[list(project.graph.nodes)[len(project.graph.nodes) // 2]]
        view.resetTransform()
        view.centerOn(middle)
        app.processEvents()
        print(f"nodes in view at 100%: {sum(1 for i in view.items(view.viewport().rect()) if hasattr(i, 'node_id'))}")
        at_100 = repaint_ms(window)
        view.fit()
        app.processEvents()
        at_fit = repaint_ms(window)
        view.resetTransform()
        view.scale(0.5, 0.5)
        view.centerOn(middle)
        app.processEvents()
        print(f"nodes in view at 50%: {sum(1 for i in view.items(view.viewport().rect()) if hasattr(i, 'node_id'))}")
        at_50 = repaint_ms(window)
        add, connect = edit_ms(window, app)
        rows = []
        for name, (first, median) in (("100% zoom", at_100), ("50% zoom", at_50), ("fit to view", at_fit)):
            rows += [(f"repaint {name}, first", first, 16), (f"repaint {name}, median", median, 16)]
        for label, ms, target in (*rows, ("add node + analysis + repaint", add, 50),
                                  ("connect + analysis + repaint", connect, 50)):
            print(f"{label:34s} {ms:7.2f} ms   target {target} ms   ratio {ms / target:.2f}")
        window.doc.undo_stack.setClean()
        window.close()


if __name__ == "__main__":
    main()
