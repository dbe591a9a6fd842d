"""Bypassing a node as one undoable edit (ablation on the canvas)."""

from __future__ import annotations

from typing import Any

from runtime.bypass import BYPASS_KEY, is_bypassed
from runtime.edits import Edit
from runtime.project import Project


class SetBypass(Edit):
    """Mark node `node_id` bypassed (it runs as the identity) or not; revert restores the mark it
    had."""

    def __init__(self, node_id: str, bypassed: bool) -> None:
        self.node_id = node_id
        self.bypassed = bypassed
        self.text = "Bypass Node" if bypassed else "Restore Node"
        self._old: Any = None

    def apply(self, project: Project) -> None:
        """Set the mark (GraphError, and nothing changed, when the node does not exist)."""
        self._old = project.graph.set_extra(
            self.node_id, BYPASS_KEY, True if self.bypassed else None
        )

    def revert(self, project: Project) -> None:
        """Put the previous mark back."""
        project.graph.set_extra(self.node_id, BYPASS_KEY, self._old)


def toggled(project: Project, node_id: str) -> SetBypass:
    """The edit that flips node `node_id`'s bypass."""
    return SetBypass(node_id, not is_bypassed(project.graph.node(node_id)))
