"""Layout quality and speed: every template laid out by the previous layered layout (before) and by
runtime.layout (after), measured as drawn: wire crossings, bends, wires running through a box, and
the fit-to-view zoom on the default canvas (nodes show all their text from 0.5; titles stay legible
to 0.16). Then the time to lay out ResNet-152 with every block expanded (about 500 nodes) against
the 300 ms target. Prints a Markdown table (the README's) and the timing.

Usage: python bench/bench_layout.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.layout_baseline import layered_positions as baseline_positions  # noqa: E402
from runtime.expand import expand_node, expandable  # noqa: E402
from runtime.layout import layered_positions, project_positions, spatial_sizes  # noqa: E402
from runtime.layout_metrics import measure  # noqa: E402
from runtime.project import Project  # noqa: E402
from runtime.zoo import TEMPLATES  # noqa: E402

LAYOUT_TARGET_MS = 300.0


def expanded(project: Project) -> Project:
    """`project` with every composite block replaced by its primitives (recursively)."""
    while True:
        ids = [nid for nid in project.graph.nodes if expandable(project.graph, nid)]
        if not ids:
            return project
        expand_node(project, ids[0])


def table() -> list[str]:
    """One Markdown row per template: before → after for each measure."""
    lines = [
        "| Template | Nodes | Crossings | Bends | Wires through boxes | Fit zoom |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    totals = [0, 0, 0, 0, 0, 0]
    for name, template in TEMPLATES.items():
        project = template.build()
        graph = project.graph
        before = measure(graph, baseline_positions(graph))
        after = measure(graph, project_positions(project))
        pairs = [
            (before.crossings, after.crossings),
            (before.bends, after.bends),
            (before.through_boxes, after.through_boxes),
        ]
        for k, (b, a) in enumerate(pairs):
            totals[2 * k] += b
            totals[2 * k + 1] += a
        cells = " | ".join(f"{b} → {a}" for b, a in pairs)
        zoom = f"{before.fit_zoom:.2f} → {after.fit_zoom:.2f}"
        lines.append(f"| {name} | {len(graph.nodes)} | {cells} | {zoom} |")
    summed = " | ".join(f"**{totals[2 * k]} → {totals[2 * k + 1]}**" for k in range(3))
    lines.append(f"| **all** | | {summed} | |")
    return lines


def resnet152_timing(repeats: int = 5) -> tuple[int, float, float]:
    """(nodes, median ms of runtime.layout, median ms of the baseline) on expanded ResNet-152;
    the resolutions come from one analysis, timed apart (the canvas has it already)."""
    project = expanded(TEMPLATES["resnet152"].build())
    sizes = spatial_sizes(project)
    ours, base = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        layered_positions(project.graph, "down", sizes)
        ours.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        baseline_positions(project.graph)
        base.append((time.perf_counter() - start) * 1000)
    return len(project.graph.nodes), statistics.median(ours), statistics.median(base)


def main() -> None:
    """Print the table and the timing."""
    print("\n".join(table()))
    nodes, ours, base = resnet152_timing()
    print(
        f"\nResNet-152 expanded ({nodes} nodes): layout {ours:.0f} ms "
        f"(target {LAYOUT_TARGET_MS:.0f} ms, ratio {ours / LAYOUT_TARGET_MS:.2f}); "
        f"previous layout {base:.0f} ms"
    )


if __name__ == "__main__":
    main()
