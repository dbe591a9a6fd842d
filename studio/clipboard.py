"""Copy and paste of nodes (with the wires among them) as JSON on the system clipboard."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication

from runtime.graph import Graph

NODES_MIME = "application/x-convstudio-nodes"
PASTE_OFFSET = 40.0


def selection_payload(graph: Graph, node_ids: list[str]) -> dict[str, Any]:
    """The chosen nodes and the wires between them, as plain data."""
    chosen = set(node_ids)
    nodes = [
        {
            "key": n.id,
            "block": n.block,
            "params": dict(n.params),
            "pos": list(n.pos),
            "name": n.name,
            "extra": dict(n.extra),
        }
        for n in graph.nodes.values()
        if n.id in chosen
    ]
    edges = [[e.src, e.dst, e.port] for e in graph.edges if e.src in chosen and e.dst in chosen]
    return {"nodes": nodes, "edges": edges}


def paste_records(
    payload: dict[str, Any], offset: float = PASTE_OFFSET
) -> tuple[list[dict], list[tuple]]:
    """Records for AddNodes: fresh ids and names (none given), shifted positions, wires by clipboard
    key."""
    records = [
        {
            "key": n["key"],
            "block": n["block"],
            "params": n["params"],
            "pos": (n["pos"][0] + offset, n["pos"][1] + offset),
            "extra": n.get("extra", {}),
        }
        for n in payload["nodes"]
    ]
    return records, [tuple(e) for e in payload["edges"]]


def copy_to_clipboard(payload: dict[str, Any]) -> None:
    """Put the payload on the clipboard (as our type and as text)."""
    mime = QMimeData()
    text = json.dumps(payload)
    mime.setData(NODES_MIME, text.encode("utf-8"))
    mime.setText(text)
    QApplication.clipboard().setMimeData(mime)


def clipboard_payload() -> dict[str, Any] | None:
    """The nodes on the clipboard, or None when it holds none of ours."""
    mime = QApplication.clipboard().mimeData()
    if mime is None or not mime.hasFormat(NODES_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(NODES_MIME)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("nodes"), list):
        return None
    return payload
