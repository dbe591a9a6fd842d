"""Undoable edits of groups (runtime.groups): group a selection, ungroup, rename, collapse."""

from __future__ import annotations

from typing import Iterable

from runtime.edits import Edit
from runtime.errors import GroupError
from runtime.graph import Graph
from runtime.groups import GROUP_KEY, group_name_problem, group_of, groups, members
from runtime.project import Project


class _Membership(Edit):
    """Base: changes which group some nodes belong to; remembers every old value for undo."""

    def __init__(self) -> None:
        self._old: dict[str, str | None] = {}
        self._was_collapsed: set[str] = set()

    def _set(self, graph: Graph, changes: dict[str, str | None]) -> None:
        self._old = {nid: group_of(graph.node(nid)) for nid in changes}
        self._was_collapsed = set(graph.collapsed)
        for nid, group in changes.items():
            graph.set_extra(nid, GROUP_KEY, group)

    def revert(self, project: Project) -> None:
        """Give every node its old group back, and the groups their old collapsed state."""
        graph = project.graph
        for nid, group in self._old.items():
            graph.set_extra(nid, GROUP_KEY, group)
        for name in graph.collapsed ^ self._was_collapsed:
            graph.set_collapsed(name, name in self._was_collapsed)


class GroupNodes(_Membership):
    """Put nodes into a new group `name` (taking them out of any group they were in)."""

    def __init__(self, node_ids: Iterable[str], name: str, text: str = "Group") -> None:
        super().__init__()
        self.text = f"{text} {name}"
        self.node_ids = list(dict.fromkeys(node_ids))
        self.name = name

    def apply(self, project: Project) -> None:
        """Refuse a bad or taken name, or an empty selection; then set the members' group."""
        graph = project.graph
        problem = group_name_problem(self.name)
        if problem:
            raise GroupError(problem)
        if not self.node_ids:
            raise GroupError("select the nodes to group first")
        for nid in self.node_ids:
            graph.node(nid)
        taken = set(groups(graph)) - {self.name}
        existing = set(members(graph, self.name))
        if self.name in taken or (existing and not existing <= set(self.node_ids)):
            raise GroupError(f"a group called '{self.name}' already exists: choose another name")
        self._set(graph, dict.fromkeys(self.node_ids, self.name))
        stale = set(graph.collapsed) - set(groups(graph))  # emptied groups, or deleted ones
        if not existing:
            stale.add(self.name)  # a new group starts expanded
        for name in stale & graph.collapsed:
            graph.set_collapsed(name, False)


class Ungroup(_Membership):
    """Dissolve group `name`: its nodes stay where they are, in no group."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.text = f"Ungroup {name}"
        self.name = name

    def apply(self, project: Project) -> None:
        """Refuse an unknown group; clear the members' group."""
        graph = project.graph
        ids = members(graph, self.name)
        if not ids:
            raise GroupError(f"there is no group called '{self.name}'")
        self._set(graph, dict.fromkeys(ids))
        if self.name in graph.collapsed:
            graph.set_collapsed(self.name, False)


class RenameGroup(_Membership):
    """Give group `old` the name `new` (which must be valid and not taken)."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.text = f"Rename group to {new}"
        self.old, self.new = old, new

    def apply(self, project: Project) -> None:
        """Refuse an unknown group or a bad or taken name; move the members and collapsed state."""
        graph = project.graph
        ids = members(graph, self.old)
        if not ids:
            raise GroupError(f"there is no group called '{self.old}'")
        problem = group_name_problem(self.new)
        if problem:
            raise GroupError(problem)
        if self.new != self.old and self.new in groups(graph):
            raise GroupError(f"a group called '{self.new}' already exists: choose another name")
        collapsed = self.old in graph.collapsed
        self._set(graph, dict.fromkeys(ids, self.new))
        if collapsed and self.new != self.old:
            graph.set_collapsed(self.old, False)
            graph.set_collapsed(self.new, True)


class SetGroupCollapsed(Edit):
    """Draw group `name` as one node (collapsed) or as a frame around its nodes (expanded)."""

    def __init__(self, name: str, collapsed: bool) -> None:
        self.text = f"{'Collapse' if collapsed else 'Expand'} group {name}"
        self.name, self.collapsed = name, collapsed
        self._before = False

    def apply(self, project: Project) -> None:
        """Refuse an unknown group; set the state."""
        if not members(project.graph, self.name):
            raise GroupError(f"there is no group called '{self.name}'")
        self._before = project.graph.set_collapsed(self.name, self.collapsed)

    def revert(self, project: Project) -> None:
        """Restore the previous state."""
        project.graph.set_collapsed(self.name, self._before)
