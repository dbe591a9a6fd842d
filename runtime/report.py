"""Human-readable formatting of figures: counts, shapes, bytes, and the per-layer summary table."""
from __future__ import annotations

from runtime.analysis import Analysis
from runtime.graph import Graph


def human_count(n: float) -> str:
    """12_345_678 → '12.35 M'."""
    for unit, size in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.2f} {unit}"
    return f"{int(n)}"


def human_bytes(n: float) -> str:
    """Bytes in KiB/MiB/GiB."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"


def shape_text(shape: tuple[int, ...]) -> str:
    """'64×56×56'."""
    return "×".join(str(d) for d in shape)


def summary_table(analysis: Analysis, graph: Graph) -> str:
    """The per-layer table printed by `convstudio summary`."""
    header = ("name", "block", "output", "params", "MACs", "RF", "activations")
    rows = [header]
    for nid in analysis.order:
        node = graph.nodes[nid]
        f = analysis.nodes.get(nid)
        if f is None:
            problem = analysis.problems_for(nid)
            rows.append((node.name, node.block, "ERROR" if problem else "—", "", "", "", ""))
            continue
        rf = "global" if f.rf_global else f"{f.rf}×{f.rf}"
        rows.append((node.name, node.block, shape_text(f.out_shape), f"{f.params:,}", human_count(f.macs), rf,
                     f"{f.activations:,}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    right = {3, 4, 6}
    lines = []
    for i, row in enumerate(rows):
        cells = [c.rjust(widths[j]) if j in right else c.ljust(widths[j]) for j, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"input {shape_text(analysis.input_shape)}, batch {analysis.batch_size}")
    lines.append(f"parameters: {analysis.params:,} trainable, {analysis.params_total:,} total, "
                 f"{analysis.buffers:,} buffer values")
    lines.append(f"multiply-adds: {analysis.macs:,} ({human_count(analysis.macs)} MACs = "
                 f"{human_count(analysis.flops)} FLOPs) per image")
    lines.append(f"activations: {analysis.activations:,} values per image; "
                 f"{human_bytes(analysis.activation_bytes)} for the batch (float32)")
    for p in analysis.problems:
        lines.append(f"error: {p.message}")
    return "\n".join(lines)
