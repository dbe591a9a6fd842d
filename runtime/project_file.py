"""Versioned JSON project files: parse, validate, migrate, serialise. Never executes anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from runtime.errors import GraphError, ProjectFileError
from runtime.graph import Graph
from runtime.groups import GROUP_KEY, group_name_problem, groups
from runtime.shown import shown

FORMAT = "convstudio-project"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
LARGEST_INT = 2**63 - 1
"""No setting accepts a whole number beyond int64; larger ones are refused while parsing."""
MAX_NODES = 5000
"""Nodes a project file may hold (the largest template has 135); more is refused before building."""
MAX_EDGES = 4 * MAX_NODES
KNOWN_KEYS = {
    "format",
    "version",
    "name",
    "description",
    "input",
    "nodes",
    "edges",
    "data",
    "training",
    "task",
    "groups",
    "user_blocks",
}
NODE_KEYS = {"id", "block", "name", "params", "position"}


def _migrate_0_to_1(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (the pre-release draft) stored input as [C, H, W] and edges as
    source/target/slot."""
    out = dict(doc)
    if isinstance(doc.get("input"), list) and len(doc["input"]) == 3:
        c, h, w = doc["input"]
        out["input"] = {"channels": c, "height": h, "width": w}
    edges = doc.get("edges", [])
    if isinstance(edges, list):
        out["edges"] = [
            {"from": e.get("source"), "to": e.get("target"), "port": e.get("slot", 0)}
            if isinstance(e, dict) and "source" in e
            else e
            for e in edges
        ]
    out["version"] = 1
    return out


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _migrate_0_to_1}
"""MIGRATIONS[v] turns a version-v document into a version v+1 one."""


def parse_text(text: str | bytes, path: str | Path | None = None) -> dict[str, Any]:
    """Decode JSON text into a current-version document dict (structure checked, migrated)."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise ProjectFileError(
                path, f"is {len(text) // 2**20} MiB; project files are at most 64 MiB"
            )
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProjectFileError(path, f"is not UTF-8 text (byte {exc.start})") from None
    try:
        doc = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_bounded_int, parse_float=_finite_float
        )
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            path, f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except _NumberError as exc:
        raise ProjectFileError(path, f"is refused: {exc}") from None
    except RecursionError:
        raise ProjectFileError(path, "is nested too deeply to be a project file") from None
    except ValueError as exc:
        raise ProjectFileError(path, f"is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ProjectFileError(
            path, "is not a ConvStudio project: the top level must be a JSON object"
        )
    if doc.get("format") != FORMAT:
        raise ProjectFileError(path, f"is not a ConvStudio project: 'format' must be \"{FORMAT}\"")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ProjectFileError(path, "has no valid 'version' number")
    if version > VERSION:
        raise ProjectFileError(
            path,
            f"was made by a newer ConvStudio (format version {shown(version)}; "
            f"this one reads up to "
            f"{VERSION}): update ConvStudio to open it",
        )
    while version < VERSION:
        doc = MIGRATIONS[version](doc)
        version = doc["version"]
    return doc


class _NumberError(ValueError):
    """A JSON number no setting could use."""


def _refuse_constant(name: str) -> Any:
    raise _NumberError(f"{name} is not allowed in a project file")


def _bounded_int(text: str) -> int:
    """A JSON whole number; refused beyond int64, where no setting has a meaning (and math
    overflows)."""
    if len(text.lstrip("-")) > 19 or abs(int(text)) > LARGEST_INT:
        digits = text.lstrip("-")
        raise _NumberError(
            f"the number {text[:12]}… ({len(digits)} digits) is too large: "
            f"no setting accepts more than 2**63 - 1"
        )
    return int(text)


def _finite_float(text: str) -> float:
    """A JSON number with a fraction or exponent; refused when it does not fit a 64-bit float."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NumberError(f"the number {shown(text)[1:-1]} is too large for a 64-bit float")
    return value


def read_input_shape(doc: dict[str, Any], path: str | Path | None) -> tuple[int, int, int]:
    """The (C, H, W) input size of a document."""
    spec = doc.get("input")
    if not isinstance(spec, dict):
        raise ProjectFileError(path, "'input' must be an object with channels, height and width")
    dims = []
    for key in ("channels", "height", "width"):
        value = spec.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 16384:
            raise ProjectFileError(
                path, f"input.{key} must be a whole number from 1 to 16384, got {shown(value)}"
            )
        dims.append(value)
    return dims[0], dims[1], dims[2]


def build_graph(doc: dict[str, Any], path: str | Path | None) -> Graph:
    """Build the Graph a document describes; every node and edge is validated."""
    graph = Graph()
    nodes, edges = doc.get("nodes", []), doc.get("edges", [])
    for key, value, most in (("nodes", nodes, MAX_NODES), ("edges", edges, MAX_EDGES)):
        if not isinstance(value, list):
            raise ProjectFileError(path, f"'{key}' must be a list, not {type(value).__name__}")
        if len(value) > most:
            raise ProjectFileError(
                path, f"has {len(value):,} {key}; a project holds at most {most:,}"
            )
    for i, raw in enumerate(nodes):
        _add_node(graph, raw, f"nodes[{i}]", path)
    for i, raw in enumerate(edges):
        where = f"edges[{i}]"
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("from"), str)
            or not isinstance(raw.get("to"), str)
        ):
            raise ProjectFileError(path, f"{where} must be an object with 'from' and 'to' node ids")
        port = raw.get("port", 0)
        if isinstance(port, bool) or not isinstance(port, int):
            raise ProjectFileError(path, f"{where}.port must be a whole number")
        for key in ("from", "to"):
            if raw[key] not in graph.nodes:
                raise ProjectFileError(
                    path, f"{where}.{key} names node '{raw[key]}', which does not exist"
                )
        try:
            graph.connect(raw["from"], raw["to"], port)
        except GraphError as exc:
            raise ProjectFileError(path, f"{where}: {exc}") from None
    graph.collapsed = _read_collapsed(doc.get("groups", []), path)
    return graph


def _read_collapsed(raw: Any, path: str | Path | None) -> set[str]:
    """The names of the collapsed groups from a document's `groups` list (files before groups had
    none; membership itself is each node's `group`)."""
    if not isinstance(raw, list) or len(raw) > MAX_NODES:
        raise ProjectFileError(path, "'groups' must be a list of {name, collapsed} objects")
    collapsed = set()
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or group_name_problem(entry.get("name")):
            raise ProjectFileError(path, f"groups[{i}] must be an object with a valid 'name'")
        if not isinstance(entry.get("collapsed", False), bool):
            raise ProjectFileError(path, f"groups[{i}].collapsed must be true or false")
        if entry.get("collapsed"):
            collapsed.add(entry["name"])
    return collapsed


def groups_to_doc(graph: Graph) -> list[dict[str, Any]]:
    """The JSON-ready `groups` list: every group in order, with whether it is drawn collapsed."""
    return [{"name": name, "collapsed": name in graph.collapsed} for name in groups(graph)]


def _add_node(graph: Graph, raw: Any, where: str, path: str | Path | None) -> None:
    if not isinstance(raw, dict):
        raise ProjectFileError(path, f"{where} must be an object")
    node_id, block, name = raw.get("id"), raw.get("block"), raw.get("name")
    if not isinstance(node_id, str) or not node_id:
        raise ProjectFileError(path, f"{where}.id must be a non-empty string")
    if not isinstance(block, str):
        raise ProjectFileError(path, f"{where}.block must be a block id string")
    if name is not None and not isinstance(name, str):
        raise ProjectFileError(path, f"{where}.name must be a string")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise ProjectFileError(path, f"{where}.params must be an object")
    pos = raw.get("position", [0, 0])
    if (
        not isinstance(pos, list)
        or len(pos) != 2
        or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 1e9 for v in pos
        )
    ):
        raise ProjectFileError(path, f"{where}.position must be [x, y] numbers")
    extra = {k: v for k, v in raw.items() if k not in NODE_KEYS}
    if GROUP_KEY in extra and group_name_problem(extra[GROUP_KEY]):
        raise ProjectFileError(path, f"{where}.group: {group_name_problem(extra[GROUP_KEY])}")
    try:
        graph.add_node(block, params, (pos[0], pos[1]), name, node_id, extra)
    except GraphError as exc:
        raise ProjectFileError(path, f"{where} ('{name or node_id}'): {exc}") from None


def graph_to_doc(graph: Graph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The JSON-ready node and edge lists of a graph."""
    nodes = []
    for node in graph.nodes.values():
        params = dict(node.params)
        entry: dict[str, Any] = {
            "id": node.id,
            "block": node.block,
            "name": node.name,
            "params": params,
            "position": [round(node.pos[0], 2), round(node.pos[1], 2)],
        }
        entry.update(node.extra)
        nodes.append(entry)
    edges = [{"from": e.src, "to": e.dst, "port": e.port} for e in graph.edges]
    return nodes, edges
