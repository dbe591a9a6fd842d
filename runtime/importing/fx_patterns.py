"""Fold multi-op tensor patterns into blocks: x.view(x.size(0), -1) to flatten, the view /
transpose / view channel shuffle, chunk/split or channel slicing to channel_split, and a spatial
mean to global average pooling."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import fx

from runtime.importing.fx_base import MapperBase
from runtime.importing.fx_nodes import _Chunks, _Const, _Shuffle, _Tensor
from runtime.importing.fx_ops import _PASS, _VIEW


class PatternOps(MapperBase):
    """FxMapper's pattern folds: each returns a mapped value, a half-folded pattern state
    (_Shuffle, _Chunks) or raises Unmappable."""

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
