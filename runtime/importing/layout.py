"""Canvas positions for an imported graph: the layered layout of the templates (runtime.layout),
top to bottom, a long column folded; without resolution bands, as shapes are not known yet."""

from __future__ import annotations

from runtime.graph import Graph
from runtime.layout import apply_layout


def layout_imported(graph: Graph) -> None:
    """Place the nodes in layers by depth, parallel branches side by side."""
    apply_layout(graph)
