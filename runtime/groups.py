"""Groups: named sets of nodes drawn as one frame (or, collapsed, as one node).

A node's group is its saved extra `group` (the group's name), so deleting, pasting or undoing a node
carries its membership along. Which groups are collapsed is kept on the graph (`Graph.collapsed`).
Groups only organise the drawing and the tables: compile and export never look at them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from blocks.spec import Shape

if TYPE_CHECKING:
    from runtime.analysis import Analysis
    from runtime.graph import Graph, Node

GROUP_KEY = "group"
"""The node extra holding the name of the node's group."""

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .\-]*$")


def group_name_problem(name: object) -> str | None:
    """Why `name` cannot name a group, or None when it can."""
    if not isinstance(name, str) or not name.strip():
        return "a group name must be a non-empty text"
    if len(name) > 64:
        return f"group name '{name[:20]}…' is longer than 64 characters"
    if not _NAME.match(name):
        return (
            f"{name!r} is not a valid group name: use letters, digits, spaces and _ . - "
            "(starting with a letter, digit or _)"
        )
    return None


def group_of(node: "Node") -> str | None:
    """The name of the group `node` belongs to, or None."""
    value = node.extra.get(GROUP_KEY)
    return value if isinstance(value, str) else None


def groups(graph: "Graph") -> dict[str, list[str]]:
    """Every group name → its member node ids, groups in order of their first member."""
    found: dict[str, list[str]] = {}
    for node in graph.nodes.values():
        name = group_of(node)
        if name is not None:
            found.setdefault(name, []).append(node.id)
    return found


def members(graph: "Graph", name: str) -> list[str]:
    """The node ids of group `name`, in graph order (empty when there is no such group)."""
    return [n.id for n in graph.nodes.values() if group_of(n) == name]


def fresh_group_name(taken: Iterable[str], base: str = "group") -> str:
    """The first free name `<base><n>`."""
    used = set(taken)
    n = 1
    while f"{base}{n}" in used:
        n += 1
    return f"{base}{n}"


@dataclass(frozen=True)
class GroupSummary:
    """What a collapsed group shows: the shapes entering and leaving, and its cost."""

    name: str
    members: list[str]
    inputs: list[tuple[str, str]]
    """(source node id, member node id) of every wire entering the group, in port order."""
    outputs: list[tuple[str, str]]
    """(member node id, outside node id) of every wire leaving the group."""
    in_shapes: list[Shape]
    out_shapes: list[Shape]
    params: int
    macs: int


def summarise(graph: "Graph", analysis: "Analysis", name: str) -> GroupSummary:
    """The wires crossing group `name`'s border, its input/output shapes, parameters and MACs."""
    ids = members(graph, name)
    inside = set(ids)
    inputs: list[tuple[str, str]] = []
    outputs: list[tuple[str, str]] = []
    for nid in ids:
        inputs += [(e.src, nid) for e in graph.inputs_of(nid) if e.src not in inside]
        outputs += [(nid, e.dst) for e in graph.consumers(nid) if e.dst not in inside]
    in_shapes = _distinct(analysis, [src for src, _ in inputs])
    leaving = [nid for nid, _ in outputs]
    if not leaving:  # a group holding the Output node: what it produces
        leaving = [nid for nid in ids if not graph.consumers(nid)]
    out_shapes = _distinct(analysis, leaving)
    figures = [analysis.nodes[nid] for nid in ids if nid in analysis.nodes]
    return GroupSummary(
        name,
        ids,
        inputs,
        outputs,
        in_shapes,
        out_shapes,
        sum(f.params for f in figures),
        sum(f.macs for f in figures),
    )


def _distinct(analysis: "Analysis", node_ids: list[str]) -> list[Shape]:
    shapes: list[Shape] = []
    for nid in dict.fromkeys(node_ids):
        fig = analysis.nodes.get(nid)
        if fig is not None and fig.out_shape not in shapes:
            shapes.append(fig.out_shape)
    return shapes


def regroup_pasted(records: list[dict], taken: Iterable[str]) -> None:
    """Pasted or duplicated nodes whose group already exists go to a new group (`<name> 2`, …),
    so a copy of a group is a group of its own; a group value that is not a valid name is
    dropped."""
    used = set(taken)
    renamed: dict[str, str] = {}
    for record in records:
        extra = record.get("extra")
        if not isinstance(extra, dict) or GROUP_KEY not in extra:
            continue
        old = extra[GROUP_KEY]
        if group_name_problem(old):
            record["extra"] = {k: v for k, v in extra.items() if k != GROUP_KEY}
            continue
        if old not in renamed:
            if old in used:
                base, n = old[:60], 2
                while f"{base} {n}" in used:
                    n += 1
                renamed[old] = f"{base} {n}"
            else:
                renamed[old] = old
            used.add(renamed[old])
        record["extra"] = {**extra, GROUP_KEY: renamed[old]}
