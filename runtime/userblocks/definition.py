"""A user's own block: named inner layers, their wires, one input, one output, exposed parameters.

A definition is plain data read from JSON and checked against the catalogue before anything uses
it: inner layers name registered blocks, their parameters are valid, the wires form one acyclic
path from the block's input to its output, and every exposed parameter is bound to parameters the
inner blocks really have (checked references, never expressions).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import networkx as nx

from blocks import BlockError, UnknownBlockIdError, get_spec
from blocks.params import ParamSpec
from blocks.spec import SUB_INPUT
from runtime.errors import ProjectFileError
from runtime.naming import file_stem, name_problem
from runtime.shown import shown

FORMAT = "convstudio-block"
VERSION = 1
MAX_BYTES = 4 * 1024 * 1024
"""A block file is at most this big (the largest sensible block is a few kilobytes)."""
MAX_LAYERS = 1000
MAX_NAME = 60
MAX_DESCRIPTION = 2000
CATEGORY = "My blocks"
INPUT_PARAMS = ("in_channels", "in_features")
"""Constructor arguments exported code gives every user block for its input's size."""
_ID = re.compile(r"^user_[a-z][a-z0-9_]{0,63}$")


class UserBlockError(ProjectFileError):
    """A user block definition that cannot be used; names its file (or the block) and why."""


@dataclass(frozen=True)
class InnerLayer:
    """One layer inside a user block: its local name, block id and full parameters."""

    name: str
    block: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class ExposedParam:
    """A parameter of the block itself, setting the inner parameters it is bound to."""

    name: str
    bindings: tuple[tuple[str, str], ...]
    """(inner layer name, parameter name) pairs, all set to the exposed value."""


@dataclass(frozen=True)
class UserBlockDef:
    """Everything one user block is: identity, text, inner layers in order, wires, exposed params.

    `edges` are (source, destination) layer names, SUB_INPUT standing for the block's input;
    the edges into one layer are listed in port order.
    """

    id: str
    name: str
    description: str
    layers: tuple[InnerLayer, ...]
    edges: tuple[tuple[str, str], ...]
    output: str
    exposed: tuple[ExposedParam, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def layer(self, name: str) -> InnerLayer:
        """The inner layer called `name`."""
        return next(layer for layer in self.layers if layer.name == name)

    def inputs_of(self, name: str) -> list[str]:
        """The sources wired into layer `name`, in port order."""
        return [src for src, dst in self.edges if dst == name]

    def exposed_spec(self, exposed: ExposedParam) -> ParamSpec:
        """The field of an exposed parameter: the first bound parameter's type and limits, its
        value as default."""
        layer_name, param = exposed.bindings[0]
        layer = self.layer(layer_name)
        inner = get_spec(layer.block).param(param)
        targets = ", ".join(f"{n}.{p}" for n, p in exposed.bindings)
        return ParamSpec(
            exposed.name,
            inner.kind,
            layer.params[param],
            f"Sets {targets}. {inner.help}".strip(),
            inner.minimum,
            inner.maximum,
            inner.choices,
        )

    def param_specs(self) -> tuple[ParamSpec, ...]:
        """The block's own parameters: one per exposed parameter."""
        return tuple(self.exposed_spec(e) for e in self.exposed)

    def inner_params(self, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Each inner layer's parameters once the exposed `values` are applied."""
        params = {layer.name: dict(layer.params) for layer in self.layers}
        for exposed in self.exposed:
            if exposed.name in values:
                for layer_name, param in exposed.bindings:
                    params[layer_name][param] = values[exposed.name]
        return params

    def uses(self) -> set[str]:
        """Block ids of the inner layers that are themselves user blocks."""
        return {layer.block for layer in self.layers if layer.block.startswith("user_")}

    def same_network(self, other: "UserBlockDef") -> bool:
        """True when both define the same layers, wires and exposed parameters (text aside)."""
        return (self.layers, self.edges, self.output, self.exposed) == (
            other.layers,
            other.edges,
            other.output,
            other.exposed,
        )

    def renamed(self, name: str, description: str | None = None) -> "UserBlockDef":
        """The same block under another name (its id, and so every placed copy, stays)."""
        text = self.description if description is None else description
        return UserBlockDef(
            self.id, name, text, self.layers, self.edges, self.output, self.exposed, self.extra
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of this definition (current format version)."""
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "layers": [
                {"name": layer.name, "block": layer.block, "params": dict(layer.params)}
                for layer in self.layers
            ],
            "edges": [[src, dst] for src, dst in self.edges],
            "output": self.output,
            "exposed": [
                {"name": e.name, "bindings": [[n, p] for n, p in e.bindings]} for e in self.exposed
            ],
        }
        doc.update(self.extra)
        return doc

    def to_json(self) -> str:
        """Pretty, stable JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def block_id_for(name: str) -> str:
    """The block id a new block called `name` gets ('Res Stage' → 'user_res_stage')."""
    return "user_" + file_stem(name, "block")[:58]


def check_block_name(name: object, where: Path | None = None) -> str:
    """`name` stripped, or UserBlockError saying why it cannot name a block."""
    if not isinstance(name, str) or not name.strip():
        raise UserBlockError(where, "a block needs a name")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise UserBlockError(where, f"a block name has at most {MAX_NAME} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise UserBlockError(where, "a block name cannot hold control characters")
    if not re.search(r"[A-Za-z]", name):
        raise UserBlockError(where, f"block name {shown(name)} needs at least one letter")
    return name


def parse_text(raw: bytes | str, where: Path | None = None) -> UserBlockDef:
    """A checked definition from JSON text; UserBlockError (one line naming the file) if not."""
    return parse_definition(decode_text(raw, where), where)


def decode_text(raw: bytes | str, where: Path | None = None) -> Any:
    """The JSON document of a block file's text (not yet checked as a block)."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise UserBlockError(where, "is too large for a block file (at most 4 MiB)")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserBlockError(where, f"is not UTF-8 text (byte {exc.start})") from None
    try:
        doc = json.loads(raw, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise UserBlockError(
            where, f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise UserBlockError(where, "is nested too deeply to be a block file") from None
    except ValueError as exc:
        raise UserBlockError(where, f"is not valid JSON: {exc}") from None
    return doc


def used_blocks(doc: Any) -> set[str]:
    """Ids of the user blocks a (not yet checked) document's layers name."""
    layers = doc.get("layers") if isinstance(doc, dict) else None
    if not isinstance(layers, list):
        return set()
    blocks = [layer.get("block") for layer in layers if isinstance(layer, dict)]
    return {b for b in blocks if isinstance(b, str) and b.startswith("user_")}


def document_id(doc: Any) -> str | None:
    """The id a (not yet checked) document declares or its name implies, None if neither."""
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("id"), str):
        return doc["id"]
    name = doc.get("name")
    return block_id_for(name) if isinstance(name, str) and name.strip() else None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a block accepts")


def parse_definition(doc: Any, where: Path | None = None) -> UserBlockDef:
    """A checked definition from a decoded JSON document; UserBlockError if it is not one."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise UserBlockError(where, f"is not a ConvStudio block: 'format' must be \"{FORMAT}\"")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise UserBlockError(where, "has no valid 'version' number")
    if version > VERSION:
        raise UserBlockError(
            where,
            f"was made by a newer ConvStudio (block format {version}; this one reads up to "
            f"{VERSION}): update ConvStudio to use it",
        )
    name = check_block_name(doc.get("name"), where)
    block_id = doc.get("id", block_id_for(name))
    if not isinstance(block_id, str) or not _ID.match(block_id):
        raise UserBlockError(where, f"id {shown(block_id)} must be user_ and lower-case letters")
    description = doc.get("description", "")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise UserBlockError(where, f"'description' must be text of at most {MAX_DESCRIPTION}")
    _check_builtin_clash(block_id, name, where)
    layers = _parse_layers(doc.get("layers"), block_id, where)
    edges = _parse_edges(doc.get("edges"), layers, where)
    output = doc.get("output")
    if not isinstance(output, str) or output not in layers:
        raise UserBlockError(where, f"'output' {shown(output)} is not one of the block's layers")
    ordered = _check_wiring(layers, edges, output, where)
    exposed = _parse_exposed(doc.get("exposed", []), layers, where)
    known = {"format", "version", "id", "name", "description", "layers", "edges", "output"}
    extra = {k: v for k, v in doc.items() if k not in known | {"exposed"}}
    return UserBlockDef(
        block_id,
        name,
        description,
        tuple(layers[n] for n in ordered),
        tuple(edges),
        output,
        exposed,
        extra,
    )


def _check_builtin_clash(block_id: str, name: str, where: Path | None) -> None:
    from blocks import all_specs

    for spec in all_specs():
        if spec.category == CATEGORY:
            continue
        if spec.title.casefold() == name.casefold() or spec.id == block_id:
            raise UserBlockError(
                where, f"'{name}' is the name of a built-in block: give your block another name"
            )


def _parse_layers(raw: Any, block_id: str, where: Path | None) -> dict[str, InnerLayer]:
    if not isinstance(raw, list) or not raw:
        raise UserBlockError(where, "'layers' must be a non-empty list")
    if len(raw) > MAX_LAYERS:
        raise UserBlockError(where, f"has {len(raw):,} layers; a block holds at most {MAX_LAYERS}")
    layers: dict[str, InnerLayer] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise UserBlockError(where, f"layers[{i}] must be an object")
        name, block, params = item.get("name"), item.get("block"), item.get("params", {})
        problem = name_problem(name) if isinstance(name, str) else "a layer needs a name"
        if problem:
            raise UserBlockError(where, f"layers[{i}]: {problem}")
        if name in layers:
            raise UserBlockError(where, f"two layers are called '{name}'")
        if not isinstance(block, str) or block in ("input", "output"):
            raise UserBlockError(
                where, f"layer '{name}': block must be a layer kind (not Input or Output)"
            )
        if block == block_id:
            raise UserBlockError(where, f"layer '{name}' uses the block itself (a cycle)")
        if not isinstance(params, dict):
            raise UserBlockError(where, f"layer '{name}': params must be an object")
        try:
            resolved = get_spec(block).resolve(params)
        except UnknownBlockIdError:
            raise UserBlockError(
                where, f"layer '{name}' is of unknown block kind {shown(block)}"
            ) from None
        except BlockError as exc:
            raise UserBlockError(where, f"layer '{name}': {exc}") from None
        layers[name] = InnerLayer(name, get_spec(block).id, resolved)
    return layers


def _parse_edges(
    raw: Any, layers: Mapping[str, InnerLayer], where: Path | None
) -> list[tuple[str, str]]:
    if not isinstance(raw, list) or len(raw) > 4 * MAX_LAYERS:
        raise UserBlockError(where, "'edges' must be a list of [from, to] layer names")
    edges = []
    for i, item in enumerate(raw):
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(v, str) for v in item)
        ):
            raise UserBlockError(where, f"edges[{i}] must be [from, to] layer names")
        src, dst = item
        if src != SUB_INPUT and src not in layers:
            raise UserBlockError(where, f"edges[{i}] comes from unknown layer {shown(src)}")
        if dst not in layers:
            raise UserBlockError(where, f"edges[{i}] goes to unknown layer {shown(dst)}")
        edges.append((src, dst))
    return edges


def _check_wiring(
    layers: Mapping[str, InnerLayer],
    edges: list[tuple[str, str]],
    output: str,
    where: Path | None,
) -> list[str]:
    """The layer names in an order where every wire points forward (file order kept on ties)."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from([SUB_INPUT, *layers])
    graph.add_edges_from(edges)
    if not nx.is_directed_acyclic_graph(graph):
        cycle = " → ".join(src for src, _, *_ in nx.find_cycle(graph))
        raise UserBlockError(where, f"its wires form a cycle ({cycle})")
    for name, layer in layers.items():
        spec = get_spec(layer.block)
        count = graph.in_degree(name)
        if count < spec.min_inputs or (spec.max_inputs is not None and count > spec.max_inputs):
            if spec.max_inputs == spec.min_inputs:
                takes = str(spec.min_inputs)
            elif spec.max_inputs is None:
                takes = f"at least {spec.min_inputs}"
            else:
                takes = f"{spec.min_inputs} to {spec.max_inputs}"
            raise UserBlockError(
                where, f"layer '{name}' ({spec.title}) has {count} inputs wired; it takes {takes}"
            )
    feeding = nx.ancestors(graph, output) | {output}
    spare = [n for n in layers if n not in feeding]
    if spare:
        raise UserBlockError(where, f"layer '{spare[0]}' does not lead to the output '{output}'")
    if SUB_INPUT not in feeding:
        raise UserBlockError(where, "no wire comes from the block's input")
    index = {n: i for i, n in enumerate([SUB_INPUT, *layers])}
    order = nx.lexicographical_topological_sort(graph, key=index.__getitem__)
    return [n for n in order if n != SUB_INPUT]


def _parse_exposed(
    raw: Any, layers: Mapping[str, InnerLayer], where: Path | None
) -> tuple[ExposedParam, ...]:
    if not isinstance(raw, list):
        raise UserBlockError(where, "'exposed' must be a list")
    found: list[ExposedParam] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise UserBlockError(where, f"exposed[{i}] must be an object")
        name, bindings = item.get("name"), item.get("bindings")
        problem = name_problem(name) if isinstance(name, str) else "needs a name"
        if problem or name in INPUT_PARAMS:
            raise UserBlockError(
                where, f"exposed[{i}]: {problem or f'{name!r} is the input size argument'}"
            )
        if any(e.name == name for e in found):
            raise UserBlockError(where, f"two exposed parameters are called '{name}'")
        exposed = ExposedParam(name, _parse_bindings(name, bindings, layers, where))
        for other in found:
            shared = set(other.bindings) & set(exposed.bindings)
            if shared:
                layer_name, param = sorted(shared)[0]
                raise UserBlockError(
                    where, f"{layer_name}.{param} is bound by both '{other.name}' and '{name}'"
                )
        found.append(exposed)
    return tuple(found)


def _parse_bindings(
    name: str, raw: Any, layers: Mapping[str, InnerLayer], where: Path | None
) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list) or not raw:
        raise UserBlockError(where, f"exposed '{name}' must be bound to at least one parameter")
    bound: list[tuple[str, str]] = []
    first: ParamSpec | None = None
    for item in raw:
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)
        ):
            raise UserBlockError(where, f"exposed '{name}': bindings are [layer, parameter] pairs")
        layer_name, param = item
        if layer_name not in layers:
            raise UserBlockError(
                where, f"exposed '{name}' is bound to unknown layer {shown(layer_name)}"
            )
        spec = get_spec(layers[layer_name].block)
        if param not in {p.name for p in spec.params}:
            raise UserBlockError(
                where,
                f"exposed '{name}' is bound to {shown(param)}, which layer '{layer_name}' "
                f"({spec.title}) does not have",
            )
        inner = spec.param(param)
        if first is None:
            first = inner
        elif (inner.kind, inner.choices) != (first.kind, first.choices):
            raise UserBlockError(
                where,
                f"exposed '{name}' binds parameters of different kinds "
                f"({first.kind} and {layer_name}.{param}: {inner.kind})",
            )
        if (layer_name, param) in bound:
            raise UserBlockError(where, f"exposed '{name}' binds {layer_name}.{param} twice")
        bound.append((layer_name, param))
    return tuple(bound)
