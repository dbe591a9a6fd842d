"""Typed change notifications of a project: one frozen dataclass per kind of change.

Observers dispatch on the class (`match event: case NodeAdded(node_id=nid): ...` or a dict keyed by
type), so a misspelt kind is an error at import time rather than a change silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from runtime.graph import Edge


@dataclass(frozen=True)
class ProjectEvent:
    """Base of every change notification (graph and project-level alike)."""


@dataclass(frozen=True)
class GraphEvent(ProjectEvent):
    """Base of the notifications about the graph (nodes, wires, parameters, positions)."""


@dataclass(frozen=True)
class NodeAdded(GraphEvent):
    """A node was added."""

    node_id: str


@dataclass(frozen=True)
class NodeRemoved(GraphEvent):
    """A node was removed (its wires were removed before, each with its own event)."""

    node_id: str


@dataclass(frozen=True)
class EdgeAdded(GraphEvent):
    """A wire was added (later input ports of a merge moved up by one)."""

    edge: Edge


@dataclass(frozen=True)
class EdgeRemoved(GraphEvent):
    """A wire was removed (later input ports of a merge moved down by one)."""

    edge: Edge


@dataclass(frozen=True)
class ParamsChanged(GraphEvent):
    """Some parameters of a node changed."""

    node_id: str


@dataclass(frozen=True)
class NodeMoved(GraphEvent):
    """A node's canvas position changed."""

    node_id: str


@dataclass(frozen=True)
class NodeRenamed(GraphEvent):
    """A node got a new name."""

    node_id: str


@dataclass(frozen=True)
class GroupCollapsed(GraphEvent):
    """A group was collapsed or expanded (membership changes arrive as ParamsChanged)."""

    name: str


@dataclass(frozen=True)
class GraphReset(GraphEvent):
    """The whole graph was replaced: observers rebuild everything from it."""


@dataclass(frozen=True)
class InputShapeChanged(ProjectEvent):
    """The project's input size (C, H, W) changed."""


@dataclass(frozen=True)
class ProjectRenamed(ProjectEvent):
    """The project's name changed."""


@dataclass(frozen=True)
class SectionChanged(ProjectEvent):
    """The project's `data` or `training` section was replaced."""

    section: str


Observer = Callable[[ProjectEvent], None]
"""A function called with every event, in subscription order."""
