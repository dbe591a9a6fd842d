"""Canvas positions for an imported graph: the layered top-to-bottom layout of the templates."""

from __future__ import annotations

from runtime.graph import Graph
from runtime.layout import apply_layout


def layout_imported(graph: Graph) -> None:
    """Place the nodes in layers by depth, parallel branches side by side."""
    apply_layout(graph)
