"""The fx mapper's state (imported nodes, mapped values) and the helpers every op family uses:
emit a node, look up a shape, turn fx arguments into mapped values and constants."""

from __future__ import annotations

from typing import Any

from torch import fx

from runtime.importing.fx_modules import _context
from runtime.importing.fx_nodes import ImportedNode, Unmappable, _Const, _describe, _Tensor


class MapperBase:
    """State shared by the op families of FxMapper: the traced module, the example run's values,
    the imported nodes so far and what each fx node mapped to."""

    def __init__(
        self, gm: fx.GraphModule, values: dict[str, Any], batch: int, leaves: set[str]
    ) -> None:
        self.gm = gm
        self.values = values
        self.batch = batch
        self.leaves = leaves
        self.nodes: dict[str, ImportedNode] = {}
        self.env: dict[str, Any] = {}
        self.used_modules: set[str] = set()
        self.output_key: str | None = None

    def _shape(self, key: str) -> tuple[int, ...]:
        return tuple(self.values[self.nodes[key].extra["fx"]].shape[1:])

    def _emit(
        self,
        fx_node: fx.Node,
        block: str,
        params: dict[str, Any],
        inputs: list[str],
        module_path: str | None = None,
        suffix: str = "",
    ) -> _Tensor:
        key = fx_node.name + suffix
        node = ImportedNode(
            key, block, params, inputs, _context(fx_node), module_path, extra={"fx": fx_node.name}
        )
        self.nodes[key] = node
        for src in inputs:
            self.nodes[src].consumers += 1
        return _Tensor(key)

    def _value(self, arg: Any) -> Any:
        if isinstance(arg, fx.Node):
            return self.env[arg.name]
        if isinstance(arg, (list, tuple)):
            return type(arg)(self._value(a) for a in arg)
        if isinstance(arg, dict):
            return {k: self._value(v) for k, v in arg.items()}
        return _Const(arg)

    def _const(self, value: Any) -> Any:
        """Plain Python value of a mapped argument (sizes, numbers); raises TypeError on tensors."""
        if isinstance(value, _Const):
            return value.value
        if isinstance(value, (list, tuple)):
            return type(value)(self._const(v) for v in value)
        raise TypeError("a tensor where a constant was expected")

    def _tensor(self, value: Any) -> str | None:
        return value.key if isinstance(value, _Tensor) else None

    def _unmappable(self, n: fx.Node) -> Any:
        raise Unmappable(n, _context(n), f"{_describe(n.target)} has no block")
