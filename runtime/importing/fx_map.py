"""Map a traced fx graph to catalogue blocks: the mapper that walks the graph in order.

Modules map through `module_map`, functional calls and tensor methods through `fx_functional`,
multi-op patterns fold in `fx_patterns`. ImportedNode, Unmappable and module_stack are re-exported
here for the importer."""

from __future__ import annotations

import operator
from typing import Any

import torch
from torch import fx

from runtime.importing.fx_functional import FunctionalOps
from runtime.importing.fx_modules import (
    _context,
    _parent,
    custom_params,
    module_stack,
)
from runtime.importing.fx_nodes import (
    ImportedNode,
    Unmappable,
    _Chunks,
    _Const,
    _plain,
    _Shuffle,
    _Tensor,
)
from runtime.importing.fx_ops import _CAT, _SIGNATURES, _arguments
from runtime.importing.module_map import block_for_module

__all__ = ["FxMapper", "ImportedNode", "Unmappable", "module_stack"]


class FxMapper(FunctionalOps):
    """Walks an fx graph in order and produces ImportedNodes; raises Unmappable for the first op
    with no block (the caller then keeps the enclosing submodule opaque and traces again)."""

    def run(self) -> None:
        """Map every fx node, in order."""
        for fx_node in self.gm.graph.nodes:
            self.env[fx_node.name] = self._map(fx_node)

    def _map(self, n: fx.Node) -> Any:
        if n.op == "placeholder":
            if self.nodes:
                raise Unmappable(n, "", "a second input")
            node = ImportedNode(n.name, "input", {}, [], "", extra={"fx": n.name})
            self.nodes[n.name] = node
            return _Tensor(n.name)
        if n.op == "output":
            result = self._value(n.args[0])
            key = self._tensor(result)
            if key is None:
                raise Unmappable(n, "", "an output that is not a single tensor")
            self.output_key = key
            return result
        if n.op == "call_module":
            return self._module(n)
        if n.op == "get_attr":
            raise Unmappable(n, _context(n), f"a direct use of the tensor '{n.target}'")
        return self._call(n)

    def _module(self, n: fx.Node) -> Any:
        path = str(n.target)
        module = self.gm.get_submodule(path)
        inputs = [self._value(a) for a in n.args]
        keys = [self._tensor(v) for v in inputs]
        if n.kwargs or not keys or None in keys:
            raise Unmappable(n, _parent(path), f"module '{path}' called with non-tensor arguments")
        if path in self.used_modules and any(True for _ in module.parameters()):
            raise Unmappable(n, _parent(path), f"module '{path}' called twice (shared weights)")
        self.used_modules.add(path)
        if len(keys) == 1:
            mapped = block_for_module(module, self._shape(keys[0]))
            if mapped is not None:
                return self._emit(n, mapped[0], mapped[1], keys, path)
        return self._emit(n, "custom_module", custom_params(module, path), keys, path)

    def _call(self, n: fx.Node) -> Any:
        target = n.target
        args = [self._value(a) for a in n.args]
        kwargs = {k: self._value(v) for k, v in n.kwargs.items()}
        names = _SIGNATURES.get(target, ())
        a = _arguments(target, tuple(args), kwargs, names) if names else {}
        first = args[0] if args else None
        src = self._tensor(first)
        out = self.values.get(n.name)

        # non-tensor bookkeeping: sizes, shapes, indexing into them
        if (
            src is None
            and not isinstance(first, (_Shuffle, _Chunks))
            and target not in _CAT
            and not (
                target in (operator.sub, operator.mul, operator.add, torch.rsub)
                and len(args) == 2
                and self._tensor(args[1])
            )
        ):
            try:
                return (
                    _Const(_plain(out))
                    if not isinstance(out, torch.Tensor)
                    else self._unmappable(n)
                )
            except TypeError:
                return self._unmappable(n)
        if target == "size" or (
            target is getattr and len(args) > 1 and self._const(args[1]) == "shape"
        ):
            return _Const(tuple(out) if not isinstance(out, int) else out)
        if target in ("dim", "numel") or (target is getattr and len(args) > 1):
            return _Const(out) if not isinstance(out, torch.Tensor) else self._unmappable(n)

        # half-folded patterns: a channel shuffle under way, chunks waiting to be indexed
        if isinstance(first, _Shuffle):
            return self._shuffle_step(n, first, target, args, a)
        if isinstance(first, _Chunks) and target is operator.getitem:
            index = self._const(args[1])
            return self._emit(
                n,
                "channel_split",
                {"parts": first.parts, "index": int(index) % first.parts},
                [first.src],
            )
        return self._function(n, target, args, a, first, src, out)
