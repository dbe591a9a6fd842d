"""The per-layer summary table of `convstudio summary` (figures written by runtime.format)."""

from __future__ import annotations

from runtime.analysis import Analysis
from runtime.format import bytes_text, compact, count_text, shape_text
from runtime.graph import Graph


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
        rows.append(
            (
                node.name,
                node.block,
                shape_text(f.out_shape),
                count_text(f.params),
                compact(f.macs),
                rf,
                count_text(f.activations),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    right = {3, 4, 6}
    lines = []
    for i, row in enumerate(rows):
        cells = [
            c.rjust(widths[j]) if j in right else c.ljust(widths[j]) for j, c in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"input {shape_text(analysis.input_shape)}, batch {analysis.batch_size}")
    lines.append(
        f"parameters: {analysis.params:,} trainable, {analysis.params_total:,} total, "
        f"{analysis.buffers:,} buffer values"
    )
    lines.append(
        f"multiply-adds: {analysis.macs:,} ({compact(analysis.macs)} MACs = "
        f"{compact(analysis.flops)} FLOPs) per image"
    )
    lines.append(
        f"activations: {analysis.activations:,} values per image; "
        f"{bytes_text(analysis.activation_bytes)} for the batch (float32)"
    )
    for p in analysis.problems:
        lines.append(f"error: {p.message}")
    return "\n".join(lines)
