"""A user block as a catalogue spec: its constructor, expansion, receptive field and summary.

The block behaves like a built-in composite: compile builds its inner layers in one module whose
state_dict keys are `<layer>.<tensor>`, analysis probes it whole, and expand replaces it by its
inner layers with the exposed values applied.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import partial
from typing import Any, Sequence

from blocks import BlockError, ShapeMismatchError, get_spec
from blocks.spec import SUB_INPUT, BlockSpec, Ctor, Params, RfLayers, Shape, SubGraph, SubNode
from blocks.lazy import lazy
from blocks.user_block import UserBlockCtor
from runtime.format import shape_text
from runtime.userblocks.definition import CATEGORY, INPUT_PARAMS, UserBlockDef

shape_probe = lazy("runtime.shape_probe")
user_block_module = lazy("blocks.user_block_module")

_MAKE_CACHE: OrderedDict[Any, tuple[UserBlockDef, UserBlockCtor]] = OrderedDict()
_CACHE_SIZE = 512


def input_param(in_shape: Shape) -> str:
    """The constructor argument that carries the input's size: channels of an image, else
    features."""
    return INPUT_PARAMS[0] if len(in_shape) >= 2 else INPUT_PARAMS[1]


def block_spec(definition: UserBlockDef) -> BlockSpec:
    """The catalogue spec of a user block."""
    count = len(definition.layers)
    about = definition.description.strip() or f"Your own block of {count} layers."
    return BlockSpec(
        id=definition.id,
        title=definition.name,
        category=CATEGORY,
        explanation=about,
        make=partial(make_ctor, definition),
        params=definition.param_specs(),
        summary=partial(_summary, definition),
        receptive=partial(_receptive, definition),
        composite=True,
        expand=partial(sub_graph, definition),
    )


def make_ctor(definition: UserBlockDef, params: Params, in_shapes: Sequence[Shape]) -> Ctor:
    """The block's constructor for these exposed values and input; ShapeMismatchError naming the
    inner layer that cannot work with them."""
    values = _values(definition, params)
    key = (id(definition), tuple(sorted(values.items())), tuple(tuple(s) for s in in_shapes))
    hit = _MAKE_CACHE.get(key)
    if hit is not None and hit[0] is definition:  # the entry holds it: its id is not reused
        _MAKE_CACHE.move_to_end(key)
        return hit[1]
    ctor = _build_ctor(definition, values, in_shapes)
    _MAKE_CACHE[key] = (definition, ctor)
    if len(_MAKE_CACHE) > _CACHE_SIZE:
        _MAKE_CACHE.popitem(last=False)
    return ctor


def _values(definition: UserBlockDef, params: Params) -> dict[str, Any]:
    specs = definition.param_specs()
    return {p.name: p.coerce(params.get(p.name, p.default)) for p in specs}


def _build_ctor(
    definition: UserBlockDef, values: dict[str, Any], in_shapes: Sequence[Shape]
) -> UserBlockCtor:
    if len(in_shapes) != 1:
        raise ShapeMismatchError(f"takes one input, got {len(in_shapes)}")
    inner = definition.inner_params(values)
    index = {SUB_INPUT: 0} | {layer.name: i + 1 for i, layer in enumerate(definition.layers)}
    shapes: dict[str, Shape] = {SUB_INPUT: tuple(in_shapes[0])}
    layers, wiring = [], []
    for layer in definition.layers:
        sources = definition.inputs_of(layer.name)
        shapes_in = [shapes[s] for s in sources]
        ctor = _layer_ctor(layer.name, layer.block, inner[layer.name], shapes_in)
        try:
            shapes[layer.name] = shape_probe.probe(ctor, shapes_in).out_shape
        except BlockError as exc:
            raise ShapeMismatchError(f"(inner layer '{layer.name}') {exc}") from None
        except (RuntimeError, ValueError, TypeError, IndexError, ZeroDivisionError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ShapeMismatchError(
                f"(inner layer '{layer.name}') cannot work with input "
                f"{', '.join(shape_text(s) for s in shapes_in)}: {first}"
            ) from None
        layers.append((layer.name, ctor))
        wiring.append(tuple(index[s] for s in sources))
    in_shape = tuple(in_shapes[0])
    return UserBlockCtor(
        user_block_module.SubGraphModule,
        kwargs={input_param(in_shape): int(in_shape[0]), **values},
        block_id=definition.id,
        layers=tuple(layers),
        wiring=tuple(wiring),
        output=index[definition.output] - 1,
        in_shape=in_shape,
    )


def _layer_ctor(name: str, block: str, params: dict[str, Any], shapes: list[Shape]) -> Ctor:
    spec = get_spec(block)
    try:
        params = spec.resolve(params)
        message = spec.check(params, shapes) if spec.check else None
        if message:
            raise ShapeMismatchError(message)
        return spec.make(params, shapes)
    except BlockError as exc:
        raise ShapeMismatchError(f"(inner layer '{name}') {exc}") from None


def sub_graph(definition: UserBlockDef, params: Params, in_shapes: Sequence[Shape]) -> SubGraph:
    """The inner layers with the exposed values applied, for expansion in place."""
    inner = definition.inner_params(_values(definition, params))
    nodes = tuple(
        SubNode(layer.name, layer.block, inner[layer.name]) for layer in definition.layers
    )
    weights = {layer.name: layer.name for layer in definition.layers}
    return SubGraph(nodes, definition.edges, definition.output, weights)


def _summary(definition: UserBlockDef, params: Params) -> str:
    values = _values(definition, params)
    shown = [f"{name} {value}" for name, value in values.items()][:3]
    return ", ".join(shown) or f"{len(definition.layers)} layers"


def _receptive(definition: UserBlockDef, params: Params) -> RfLayers:
    """The (kernel, stride) layers along the inner path that grows the receptive field most."""
    inner = definition.inner_params(_values(definition, params))
    paths: dict[str, tuple[tuple[int, int], ...]] = {SUB_INPUT: ()}
    for layer in definition.layers:
        own = tuple(get_spec(layer.block).rf_layers(inner[layer.name]))
        before = [paths[s] for s in definition.inputs_of(layer.name)]
        paths[layer.name] = max(before, key=_reach) + own
    return paths[definition.output] or ((1, 1),)


def _reach(layers: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """How far a path of layers sees: global paths first, then the receptive field size."""
    rf, jump, is_global = 1, 1, False
    for k, s in layers:
        if k < 0:
            is_global = True
            continue
        rf += (k - 1) * jump
        jump *= s
    return (int(is_global), rf)
