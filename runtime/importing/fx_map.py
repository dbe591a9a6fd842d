"""Map a traced fx graph to catalogue blocks: modules, functional calls and tensor methods."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx

from blocks import custom
from runtime.importing.fx_modules import (  # noqa: F401 - module_stack is re-exported
    _context,
    _parent,
    class_reference,
    custom_params,
    module_stack,
)
from runtime.importing.module_map import adaptive, block_for_module

T = torch.Tensor


@dataclass
class ImportedNode:
    """One node of the imported graph before it becomes a Graph node."""

    key: str
    block: str
    params: dict[str, Any]
    inputs: list[str]
    context: str
    module_path: str | None = None
    consumers: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Unmappable(Exception):
    """An fx node with no block; `context` is the innermost module path it lies in ('' at top
    level)."""

    def __init__(self, node: fx.Node, context: str, what: str) -> None:
        super().__init__(what)
        self.node = node
        self.context = context
        self.what = what


@dataclass(frozen=True)
class _Tensor:
    key: str


@dataclass(frozen=True)
class _Const:
    value: Any


@dataclass(frozen=True)
class _Shuffle:
    src: str
    groups: int
    transposed: bool


@dataclass(frozen=True)
class _Chunks:
    src: str
    parts: int


_RELU = {F.relu, torch.relu, torch.relu_, "relu", "relu_"}
_SIGMOID = {torch.sigmoid, F.sigmoid, "sigmoid", "sigmoid_"}
_TANH = {torch.tanh, F.tanh, "tanh", "tanh_"}
_ADD = {operator.add, operator.iadd, torch.add, "add", "add_"}
_MUL = {operator.mul, operator.imul, torch.mul, "mul", "mul_"}
_CAT = {torch.cat, torch.concat, torch.concatenate}
_VIEW = {"view", "reshape", torch.reshape}
_PASS = {"contiguous", "clone", "detach", torch.clone}
_SIMPLE: dict[Any, str] = {
    F.relu6: "relu6",
    F.silu: "silu",
    F.hardswish: "hardswish",
    "hardswish": "hardswish",
}
_TORCH_NN: dict[Any, Callable[[dict[str, Any]], tuple[str, dict[str, Any]] | None]] = {
    F.softmax: lambda a: ("Softmax", {"dim": a.get("dim")}) if a.get("dim") is not None else None,
    torch.softmax: lambda a: (
        ("Softmax", {"dim": a.get("dim")}) if a.get("dim") is not None else None
    ),
    "softmax": lambda a: ("Softmax", {"dim": a.get("dim")}) if a.get("dim") is not None else None,
    F.hardsigmoid: lambda a: ("Hardsigmoid", {}),
    F.mish: lambda a: ("Mish", {}),
    F.softplus: lambda a: (
        "Softplus",
        {"beta": a.get("beta", 1.0), "threshold": a.get("threshold", 20.0)},
    ),
    F.interpolate: lambda a: (
        "Upsample",
        {
            "size": a.get("size"),
            "scale_factor": a.get("scale_factor"),
            "mode": a.get("mode", "nearest"),
            **({"align_corners": a["align_corners"]} if a.get("align_corners") is not None else {}),
        },
    ),
}
"""Functional calls with no block of their own but a torch.nn module twin (a custom module node)."""


def _arguments(
    target: Any, args: tuple[Any, ...], kwargs: dict[str, Any], names: tuple[str, ...]
) -> dict:
    """Positional and keyword arguments by name, for a call whose signature is `names`."""
    bound = dict(zip(names, args))
    bound.update(kwargs)
    return bound


_SIGNATURES: dict[Any, tuple[str, ...]] = {
    F.leaky_relu: ("input", "negative_slope", "inplace"),
    F.elu: ("input", "alpha", "inplace"),
    F.gelu: ("input", "approximate"),
    F.hardtanh: ("input", "min_val", "max_val", "inplace"),
    F.max_pool2d: (
        "input",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "ceil_mode",
        "return_indices",
    ),
    F.avg_pool2d: (
        "input",
        "kernel_size",
        "stride",
        "padding",
        "ceil_mode",
        "count_include_pad",
        "divisor_override",
    ),
    F.adaptive_avg_pool2d: ("input", "output_size"),
    F.adaptive_max_pool2d: ("input", "output_size", "return_indices"),
    F.dropout: ("input", "p", "training", "inplace"),
    F.dropout2d: ("input", "p", "training", "inplace"),
    F.pad: ("input", "pad", "mode", "value"),
    F.softmax: ("input", "dim", "_stacklevel", "dtype"),
    torch.softmax: ("input", "dim", "dtype"),
    "softmax": ("self", "dim"),
    F.softplus: ("input", "beta", "threshold"),
    F.interpolate: ("input", "size", "scale_factor", "mode", "align_corners"),
    torch.flatten: ("input", "start_dim", "end_dim"),
    "flatten": ("self", "start_dim", "end_dim"),
    "mean": ("self", "dim", "keepdim"),
    torch.mean: ("input", "dim", "keepdim"),
    "chunk": ("self", "chunks", "dim"),
    torch.chunk: ("input", "chunks", "dim"),
    "split": ("self", "split_size", "dim"),
    torch.split: ("tensor", "split_size_or_sections", "dim"),
    "transpose": ("self", "dim0", "dim1"),
    torch.transpose: ("input", "dim0", "dim1"),
    torch.cat: ("tensors", "dim"),
    torch.concat: ("tensors", "dim"),
    torch.concatenate: ("tensors", "dim"),
}


class FxMapper:
    """Walks an fx graph in order and produces ImportedNodes; raises Unmappable for the first op
    with no block (the caller then keeps the enclosing submodule opaque and traces again)."""

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

    # ----- helpers ----------------------------------------------------------------------
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

    # ----- walk -------------------------------------------------------------------------
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

        if target in _RELU:
            return self._emit(n, "relu", {}, [src])
        if target in _SIGMOID:
            return self._emit(n, "sigmoid", {}, [src])
        if target in _TANH:
            return self._emit(n, "tanh", {}, [src])
        if target in _SIMPLE:
            return self._emit(n, _SIMPLE[target], {}, [src])
        if target is F.leaky_relu:
            return self._emit(
                n,
                "leaky_relu",
                {"negative_slope": float(self._const(a.get("negative_slope", _Const(0.01))))},
                [src],
            )
        if target is F.elu:
            return self._emit(
                n, "elu", {"alpha": float(self._const(a.get("alpha", _Const(1.0))))}, [src]
            )
        if target is F.gelu:
            return self._emit(
                n, "gelu", {"approximate": self._const(a.get("approximate", _Const("none")))}, [src]
            )
        if target is F.hardtanh and (
            self._const(a.get("min_val", _Const(-1.0))),
            self._const(a.get("max_val", _Const(1.0))),
        ) == (0.0, 6.0):
            return self._emit(n, "relu6", {}, [src])
        if target in _PASS or (target == "expand_as" and len(args) == 2):
            return first
        if target in (F.dropout, F.dropout2d):
            p = float(self._const(a.get("p", _Const(0.5))))
            block = "dropout" if target is F.dropout else "spatial_dropout"
            return self._emit(n, block, {"p": p}, [src])
        if target in _ADD | _MUL:
            return self._arith(n, target, args)
        if target in (operator.sub, torch.rsub, torch.sub, "sub", "rsub"):
            return self._sub(n, target, args)
        if target in _CAT:
            return self._cat(n, a)
        if target in (torch.flatten, "flatten"):
            start = self._const(a.get("start_dim", _Const(0)))
            end = self._const(a.get("end_dim", _Const(-1)))
            if end == -1 and start == 1:
                return self._emit(n, "flatten", {}, [src]) if len(self._shape(src)) > 1 else first
        if target in _VIEW:
            return self._view(n, src, out)
        if target in ("mean", torch.mean):
            return self._mean(n, src, a)
        if target in (F.max_pool2d, F.avg_pool2d):
            return self._pool(n, src, target, a)
        if target in (F.adaptive_avg_pool2d, F.adaptive_max_pool2d):
            block = "adaptive_avg_pool" if target is F.adaptive_avg_pool2d else "adaptive_max_pool"
            if not self._const(a.get("return_indices", _Const(False))):
                mapped = adaptive(block, self._const(a["output_size"]))
                if mapped:
                    return self._emit(n, mapped[0], mapped[1], [src])
        if target in ("chunk", torch.chunk, "split", torch.split):
            return self._chunks(n, src, target, a)
        if target is operator.getitem:
            return self._slice(n, src, self._const(args[1]))
        if target in ("transpose", torch.transpose) or target in _VIEW:
            pass
        if target is F.pad:
            pad = self._const(a["pad"])
            mode = self._const(a.get("mode", _Const("constant")))
            value = self._const(a.get("value", _Const(None)))
            if mode == "constant" and not value and len(pad) == 4 and len(set(pad)) == 1:
                return self._emit(n, "zero_pad", {"padding": int(pad[0])}, [src])
        if target in _TORCH_NN:
            const = {
                k: self._const(v) for k, v in a.items() if k not in ("input", "self", "_stacklevel")
            }
            made = _TORCH_NN[target](const)
            if made is not None:
                kwargs_plain = {k: v for k, v in made[1].items() if v is not None}
                return self._emit(
                    n,
                    "custom_module",
                    {
                        "module": f"torch.nn:{made[0]}",
                        "args": "[]",
                        "kwargs": custom.arguments_json(kwargs_plain),
                    },
                    [src],
                )
        return self._unmappable(n)

    def _unmappable(self, n: fx.Node) -> Any:
        raise Unmappable(n, _context(n), f"{_describe(n.target)} has no block")

    # ----- op families ------------------------------------------------------------------
    def _arith(self, n: fx.Node, target: Any, args: list[Any]) -> Any:
        if len(args) != 2:
            return self._unmappable(n)
        x, y = (self._tensor(v) for v in args)
        is_add = target in _ADD
        if x and y:
            return self._emit(n, "add" if is_add else "multiply", {}, [x, y])
        tensor, other = (x, args[1]) if x else (y, args[0])
        if tensor and not is_add:
            factor = self._const(other)
            if isinstance(factor, (int, float)) and math.isfinite(factor):
                return self._emit(n, "scale", {"factor": float(factor)}, [tensor])
        return self._unmappable(n)

    def _sub(self, n: fx.Node, target: Any, args: list[Any]) -> Any:
        if len(args) == 2:
            a, b = args
            if target is torch.rsub or target == "rsub":
                a, b = b, a
            if isinstance(a, _Const) and a.value == 1 and self._tensor(b):
                return self._emit(n, "one_minus", {}, [self._tensor(b)])
        return self._unmappable(n)

    def _cat(self, n: fx.Node, a: dict[str, Any]) -> Any:
        parts = [self._tensor(v) for v in a.get("tensors", ())]
        dim = self._const(a.get("dim", _Const(0)))
        if not parts or None in parts:
            return self._unmappable(n)
        rank = len(self._shape(parts[0])) + 1
        if dim % rank != 1:
            return self._unmappable(n)
        if len(parts) == 1:
            return _Tensor(parts[0])
        return self._emit(n, "concat", {}, parts)

    def _view(self, n: fx.Node, src: str, out: Any) -> Any:
        shape_in = (self.batch, *self._shape(src))
        shape_out = tuple(out.shape)
        if shape_out == shape_in:
            return _Tensor(src)
        if len(shape_out) == 2 and shape_out == (self.batch, math.prod(shape_in[1:])):
            return self._emit(n, "flatten", {}, [src])
        if (
            len(shape_in) == 4
            and len(shape_out) == 5
            and shape_out[0] == self.batch
            and shape_out[1] * shape_out[2] == shape_in[1]
            and shape_out[3:] == shape_in[2:]
        ):
            return _Shuffle(src, shape_out[1], False)
        return self._unmappable(n)

    def _shuffle_step(
        self, n: fx.Node, state: _Shuffle, target: Any, args: list[Any], a: dict
    ) -> Any:
        if target in _PASS:
            return state
        if target in ("transpose", torch.transpose) and not state.transposed:
            dims = {self._const(a.get("dim0")) % 5, self._const(a.get("dim1")) % 5}
            if dims == {1, 2}:
                return _Shuffle(state.src, state.groups, True)
        if target in _VIEW and state.transposed:
            out = self.values[n.name]
            if tuple(out.shape[1:]) == self._shape(state.src):
                return self._emit(n, "channel_shuffle", {"groups": state.groups}, [state.src])
        return self._unmappable(n)

    def _mean(self, n: fx.Node, src: str, a: dict[str, Any]) -> Any:
        dims = self._const(a.get("dim", _Const(None)))
        keep = bool(self._const(a.get("keepdim", _Const(False))))
        rank = len(self._shape(src)) + 1
        if rank == 4 and dims is not None:
            dims = {d % 4 for d in (dims if isinstance(dims, (list, tuple)) else [dims])}
            if dims == {2, 3}:
                pooled = self._emit(n, "global_avg_pool", {}, [src], suffix="" if keep else "_pool")
                return pooled if keep else self._emit(n, "flatten", {}, [pooled.key])
        return self._unmappable(n)

    def _pool(self, n: fx.Node, src: str, target: Any, a: dict[str, Any]) -> Any:
        k = _square(self._const(a["kernel_size"]))
        s = _square(self._const(a.get("stride", _Const(None))) or k)
        p = _square(self._const(a.get("padding", _Const(0))))
        ceil = bool(self._const(a.get("ceil_mode", _Const(False))))
        if target is F.max_pool2d:
            ok = _square(self._const(a.get("dilation", _Const(1)))) == 1 and not self._const(
                a.get("return_indices", _Const(False))
            )
            block = "max_pool"
        else:
            ok = (
                self._const(a.get("count_include_pad", _Const(True)))
                and self._const(a.get("divisor_override", _Const(None))) is None
            )
            block = "avg_pool"
        if ok and None not in (k, s, p) and 2 * p <= k:
            return self._emit(
                n, block, {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil}, [src]
            )
        return self._unmappable(n)

    def _chunks(self, n: fx.Node, src: str, target: Any, a: dict[str, Any]) -> Any:
        dim = self._const(a.get("dim", _Const(0)))
        shape = self._shape(src)
        if dim % (len(shape) + 1) != 1:
            return self._unmappable(n)
        channels = shape[0]
        if target in ("chunk", torch.chunk):
            parts = self._const(a["chunks"])
            if channels % parts == 0:
                return _Chunks(src, parts)
        else:
            size = self._const(a.get("split_size", a.get("split_size_or_sections", _Const(None))))
            sizes = set(size) if isinstance(size, (list, tuple)) else {size}
            if len(sizes) == 1:
                width = sizes.pop()
                if isinstance(width, int) and width > 0 and channels % width == 0:
                    return _Chunks(src, channels // width)
        return self._unmappable(n)

    def _slice(self, n: fx.Node, src: str, index: Any) -> Any:
        if not isinstance(index, tuple) or len(index) < 2 or index[0] != slice(None):
            return self._unmappable(n)
        rest = [i for i in index[2:] if i is not Ellipsis]
        cut = index[1]
        if (
            not isinstance(cut, slice)
            or cut.step not in (None, 1)
            or any(i != slice(None) for i in rest)
        ):
            return self._unmappable(n)
        channels = self._shape(src)[0]
        start, stop, _ = cut.indices(channels)
        width = stop - start
        if width <= 0 or channels % width or start % width:
            return self._unmappable(n)
        if width == channels:
            return _Tensor(src)
        return self._emit(
            n, "channel_split", {"parts": channels // width, "index": start // width}, [src]
        )


def _square(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return value[0] if len(set(value)) == 1 else None
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, (int, float, bool, str, type(None), slice, torch.Size)):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    raise TypeError(type(value).__name__)


def _describe(target: Any) -> str:
    if isinstance(target, str):
        return f"the tensor method .{target}()"
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", str(target))
    if module.startswith("torch.nn.functional"):
        return f"F.{name}"
    if module.startswith("torch") or module in ("", "builtins"):
        return f"torch.{name}" if module.startswith("torch") else name
    if module == "_operator":
        return f"the operator {name}"
    return f"{module}.{name}"
