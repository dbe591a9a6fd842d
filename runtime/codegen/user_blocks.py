"""A user block in exported code: its own `nn.Module` class whose constructor takes its input
size and exposed parameters.

Each inner layer's constructor arguments are written in terms of those parameters. How an argument
depends on them is measured, not guessed: the block is rebuilt with each parameter changed, an
integer argument that moves in whole steps becomes `a + b * width`, and an argument equal to a
non-integer parameter becomes its name. Every instance in the network is then checked against the
written expressions; an argument they do not reproduce becomes an extra constructor parameter of
its own, so the code always builds exactly what was compiled. Names go through NameTable and
every value through `literal`: nothing from the definition becomes code by itself.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from blocks.spec import Ctor
from blocks.user_block import UserBlockCtor
from runtime.codegen.errors import ExportError
from runtime.codegen.identifiers import NameTable, camel_case, is_plain_identifier
from runtime.codegen.literals import docstring_text, literal
from runtime.codegen.network import class_reference
from runtime.plan import Plan
from runtime.userblocks.definition import UserBlockDef
from runtime.userblocks.installed import definition_of
from runtime.userblocks.spec import make_ctor

Leaves = dict[str, Any]
"""Path of a constructor argument inside the block ('conv1.1', 'bn1.eps') → its value."""


@dataclass
class BlockClass:
    """How the file writes one user block: class name, constructor parameters, argument
    expressions."""

    definition: UserBlockDef
    name: str
    base: UserBlockCtor
    params: dict[str, Any] = field(default_factory=dict)
    """Constructor parameter → its default (the first instance's value), in signature order."""
    expressions: dict[str, str] = field(default_factory=dict)
    """Leaf path → expression over the constructor parameters (literal when constant)."""
    free: dict[str, str] = field(default_factory=dict)
    """Leaf path → the extra constructor parameter that carries it."""


def user_block_ctors(plan: Plan) -> list[UserBlockCtor]:
    """Every user block constructor the plan builds, nested ones first."""
    found: list[UserBlockCtor] = []

    def visit(ctor: Ctor) -> None:
        if isinstance(ctor, UserBlockCtor):
            for _, inner in ctor.layers:
                visit(inner)
            found.append(ctor)
            return
        for value in list(ctor.args) + list(ctor.kwargs.values()):
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, Ctor):
                    visit(item)

    for step in plan.steps:
        visit(step.ctor)
    return found


class UserBlockClasses:
    """The classes of a plan's user blocks, and how to call them."""

    def __init__(self, plan: Plan, taken: NameTable) -> None:
        self.classes: dict[str, BlockClass] = {}
        ctors = user_block_ctors(plan)
        for ctor in ctors:
            if ctor.block_id in self.classes:
                continue
            definition = definition_of(ctor.block_id)
            if definition is None:
                raise ExportError(f"the block '{ctor.block_id}' is not installed")
            name = taken.claim(camel_case(definition.name, "Block"), "Block")
            instances = [c for c in ctors if c.block_id == ctor.block_id]
            self.classes[ctor.block_id] = self._derive(definition, name, instances)

    # ----- calls ------------------------------------------------------------------------
    def call_values(self, ctor: UserBlockCtor) -> dict[str, Any]:
        """The constructor arguments that rebuild `ctor`, by parameter name."""
        block = self.classes[ctor.block_id]
        leaves = self.leaves(ctor)
        values = {}
        for param in block.params:
            if param in ctor.kwargs:
                values[param] = ctor.kwargs[param]
        for path, param in block.free.items():
            values[param] = leaves[path]
        return values

    def call(self, ctor: UserBlockCtor) -> str:
        """`ClassName(in_channels=64, width=32)` for one placed block."""
        block = self.classes[ctor.block_id]
        args = ", ".join(f"{k}={literal(v)}" for k, v in self.call_values(ctor).items())
        return f"{block.name}({args})"

    # ----- leaves -----------------------------------------------------------------------
    def leaves(self, ctor: UserBlockCtor) -> Leaves:
        """Every scalar constructor argument of the block's layers, by path."""
        found: Leaves = {}
        for layer, inner in ctor.layers:
            self._collect(inner, layer, found)
        return found

    def _collect(self, value: Any, path: str, found: Leaves) -> None:
        if isinstance(value, UserBlockCtor):
            for key, item in self.call_values(value).items():
                found[f"{path}.{key}"] = item
        elif isinstance(value, Ctor):
            found[f"{path}:{value.cls.__qualname__}"] = None  # the structure, compared too
            for i, item in enumerate(value.args):
                self._collect(item, f"{path}.{_arg_key(value.cls, i)}", found)
            for key, item in value.kwargs.items():
                self._collect(item, f"{path}.{key}", found)
        elif isinstance(value, (list, tuple)):
            found[f"{path}:{type(value).__name__}{len(value)}"] = None
            for i, item in enumerate(value):
                self._collect(item, f"{path}.{i}", found)
        else:
            found[path] = value

    # ----- derivation -------------------------------------------------------------------
    def _derive(
        self, definition: UserBlockDef, name: str, instances: list[UserBlockCtor]
    ) -> BlockClass:
        base = instances[0]
        variables = dict(base.kwargs)
        leaves = self.leaves(base)
        slopes: dict[str, dict[str, Any]] = {}
        for var in variables:
            found = self._probe(definition, base, {var: None})
            if found is not None:
                slopes[var] = {"at": found[0][var], "leaves": found[1]}
        expressions, used, free = {}, set(_exposed_names(definition)), []
        for path, value in leaves.items():
            if value is None and ":" in path:
                continue
            expr = _expression(path, value, variables, slopes)
            if expr is None:
                free.append(path)
                continue
            expressions[path] = expr
            used |= {v for v in variables if _mentions(expr, v)}
        block = BlockClass(definition, name, base)
        block.params = {v: variables[v] for v in variables if v in used}
        block.expressions = expressions
        taken = NameTable({"self", "x", *variables})
        for path in free:
            block.free[path] = taken.claim(_param_name(path), "_arg")
            block.expressions[path] = block.free[path]
        self.classes[definition.id] = block
        together = self._probe(definition, base, {v: s["at"] for v, s in slopes.items()})
        if together is not None:  # all parameters changed at once: catches products of two
            self._fix_mismatches(block, together[0], together[1])
        for ctor in instances:
            self._fix_mismatches(block, dict(ctor.kwargs), self.leaves(ctor))
        return block

    def _probe(
        self, definition: UserBlockDef, base: UserBlockCtor, change: dict[str, Any]
    ) -> tuple[dict[str, Any], Leaves] | None:
        """The block rebuilt with the `change`d variables (None: pick a value the block takes):
        (the variables used, its leaves), or None when no such block has the same layers."""
        exposed = set(_exposed_names(definition))
        reference = self.leaves(base).keys()
        options = [
            [value] if value is not None else _alternatives(definition, var, base.kwargs[var])
            for var, value in change.items()
        ]
        for candidate in zip(*options) if len(options) > 1 else [(o,) for o in options[0]]:
            values = dict(base.kwargs) | dict(zip(change, candidate))
            shape = tuple(base.in_shape)
            first = next((v for v in values if v not in exposed), None)
            if first is not None:
                shape = (values[first], *shape[1:])
            try:
                ctor = make_ctor(definition, {k: values[k] for k in exposed}, [shape])
            except Exception:  # noqa: BLE001 - a value the block cannot take: try the next one
                continue
            leaves = self.leaves(ctor)
            if leaves.keys() == reference:
                return values, leaves
        return None

    def _fix_mismatches(self, block: BlockClass, scope: dict[str, Any], leaves: Leaves) -> None:
        """Arguments the expressions do not reproduce for the block built from `scope` (its
        variables) with these `leaves` become constructor parameters of their own."""
        taken = NameTable({"self", "x", *block.base.kwargs, *block.free.values()})
        for path, value in leaves.items():
            if path in block.free or (value is None and ":" in path):
                continue
            expr = block.expressions.get(path)
            if expr is not None and _evaluate(expr, scope) == value:
                continue
            param = taken.claim(_param_name(path), "_arg")
            block.free[path] = param
            block.expressions[path] = param

    # ----- source -----------------------------------------------------------------------
    def source(self) -> str:
        """The class definitions, inner blocks first."""
        return "".join(self._class_source(block) for block in self.classes.values())

    def _class_source(self, block: BlockClass) -> str:
        definition = block.definition
        base = block.base
        signature = [f"{p}: {type(v).__name__} = {literal(v)}" for p, v in block.params.items()]
        leaves = self.leaves(base)
        signature += [
            f"{param}: {type(leaves[path]).__name__} = {literal(leaves[path])}"
            for path, param in block.free.items()
        ]
        init = [
            f"        self.{_attribute(layer)} = {self._render_layer(inner, layer, block)}"
            for layer, inner in base.layers
        ]
        doc = definition.description.strip().splitlines()
        nl = "\n"
        arguments = ", ".join(["self", *signature])
        if len(arguments) > 70:
            arguments = "".join(f"\n        {a}," for a in ["self", *signature]) + "\n    "
        return f'''

class {block.name}(nn.Module):
    """{docstring_text(doc[0] if doc else f"Your block {definition.name}.")}"""

    def __init__({arguments}) -> None:
        super().__init__()
{nl.join(init)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
{nl.join(_forward_lines(definition))}
'''

    def _render_layer(self, value: Any, path: str, block: BlockClass) -> str:
        if isinstance(value, UserBlockCtor):
            inner = self.classes[value.block_id]
            args = ", ".join(
                f"{k}={block.expressions[f'{path}.{k}']}" for k in self.call_values(value)
            )
            return f"{inner.name}({args})"
        if isinstance(value, Ctor):
            parts = [
                self._render_layer(a, f"{path}.{_arg_key(value.cls, i)}", block)
                for i, a in enumerate(value.args)
            ]
            parts += [
                f"{k}={self._render_layer(v, f'{path}.{k}', block)}"
                for k, v in value.kwargs.items()
            ]
            return f"{class_reference(value.cls)}({', '.join(parts)})"
        if isinstance(value, (list, tuple)):
            items = [self._render_layer(v, f"{path}.{i}", block) for i, v in enumerate(value)]
            if isinstance(value, list):
                return "[" + ", ".join(items) + "]"
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        return block.expressions[path]


def _exposed_names(definition: UserBlockDef) -> list[str]:
    return [e.name for e in definition.exposed]


def _alternatives(definition: UserBlockDef, var: str, value: Any) -> list[Any]:
    """Other values to rebuild the block with, in the order to try them."""
    spec = next((p for p in definition.param_specs() if p.name == var), None)
    if isinstance(value, bool):
        return [not value]
    if spec is not None and spec.kind == "choice":
        return [c for c in spec.choices if c != value]
    if isinstance(value, int):
        tries = [value * 2, value * 3, value + 1, value // 2, value - 1]
    elif isinstance(value, float):
        tries = [value * 0.5 if value else 0.25, value + 0.125, value * 1.5]
    else:
        return []
    allowed = []
    for candidate in tries:
        try:
            ok = spec is None or spec.coerce(candidate) == candidate
        except Exception:  # noqa: BLE001 - out of the parameter's limits
            ok = False
        if ok and candidate != value and (spec is not None or candidate > 0):
            allowed.append(candidate)
    return allowed


def _expression(path: str, value: Any, variables: dict[str, Any], slopes: dict) -> str | None:
    """The leaf as an expression of the variables, judged from how it moved in the probes; None
    when it moved in a way no such expression writes. A variable that could not be changed has no
    slope: what it moves is caught by the instance check and becomes a parameter of its own."""
    moved = {v: s for v, s in slopes.items() if s["leaves"][path] != value}
    if not moved:
        return literal(value)
    if isinstance(value, int) and not isinstance(value, bool):
        terms, constant = [], value
        for var, slope in moved.items():
            base = variables[var]
            if not isinstance(base, int) or isinstance(base, bool):
                return None
            step = slope["leaves"][path] - value
            delta = slope["at"] - base
            if not isinstance(step, int) or isinstance(step, bool) or step % delta:
                return None
            k = step // delta
            terms.append(var if k == 1 else f"{var} * {k}")
            constant -= k * base
        text = " + ".join(terms)
        return text if constant == 0 else f"{text} {'+' if constant > 0 else '-'} {abs(constant)}"
    if len(moved) == 1:
        var, slope = next(iter(moved.items()))
        if value == variables[var] and slope["leaves"][path] == slope["at"]:
            return var
    return None


def _mentions(expr: str, var: str) -> bool:
    return var in expr.replace("*", " ").replace("+", " ").replace("-", " ").split()


def _evaluate(expr: str, scope: dict[str, Any]) -> Any:
    """Value of an expression `_expression` wrote: a literal, or `a * k + b * m ± c` of names."""
    import ast

    tree = ast.parse(expr, mode="eval").body
    return _eval_node(tree, scope)


def _eval_node(node: Any, scope: dict[str, Any]) -> Any:
    import ast

    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval_node(node.operand, scope)
    if isinstance(node, ast.BinOp):
        a, b = _eval_node(node.left, scope), _eval_node(node.right, scope)
        if a is None or b is None:
            return None
        ops = {ast.Add: a.__add__, ast.Sub: a.__sub__, ast.Mult: a.__mul__}
        return ops[type(node.op)](b)
    return ast.literal_eval(node)


def _arg_key(cls: type, index: int) -> str:
    """The name of positional argument `index` of `cls` (its index when it has no name)."""
    try:
        names = [
            p.name
            for p in inspect.signature(cls.__init__).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ][1:]
    except (TypeError, ValueError):
        names = []
    name = names[index] if index < len(names) else ""
    return name if is_plain_identifier(name) else str(index)


def _param_name(path: str) -> str:
    """'conv2.groups' → 'conv2_groups', 'conv2.1' → 'conv2_arg1'."""
    parts = path.split(".")
    words = [p if not p.isdigit() else f"arg{p}" for p in parts]
    return "_".join(words)


def _attribute(layer: str) -> str:
    if not is_plain_identifier(layer) or layer.startswith("_"):
        raise ExportError(f"layer name {layer!r} inside a block cannot name a PyTorch attribute")
    return layer


def _forward_lines(definition: UserBlockDef) -> list[str]:
    """`forward` of a block: each layer's output in a variable named after the layer."""
    scope = NameTable({"self", "x", "torch", "nn", "F"})
    var = {"<input>": "x"}
    lines = []
    for layer in definition.layers:
        var[layer.name] = scope.claim(layer.name, "_out")
        args = ", ".join(var[s] for s in definition.inputs_of(layer.name))
        lines.append(f"        {var[layer.name]} = self.{layer.name}({args})")
    lines.append(f"        return {var[definition.output]}")
    return lines
