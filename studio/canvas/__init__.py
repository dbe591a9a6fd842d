"""The node-graph canvas: items, the scene that mirrors the graph, the view, auto-layout."""
