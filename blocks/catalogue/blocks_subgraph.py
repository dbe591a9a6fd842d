"""Helpers shared by the composite blocks, chiefly their description as sub-graphs of primitive
blocks (for expansion). No block is registered here; the other blocks_*.py files use these.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from blocks.catalogue._common import image
from blocks.spec import SUB_INPUT, Shape, SubGraph, SubNode

IN = SUB_INPUT


def needs_image(p: Mapping[str, Any], shapes: Sequence[Shape]) -> str | None:
    """Check for blocks that accept any C×H×W map (the message for a flat vector comes from
    `image`)."""
    image(shapes)
    return None


def join(*parts: str) -> str:
    """A dotted state_dict prefix from its non-empty parts."""
    return ".".join(p for p in parts if p)


class SubGraphBuilder:
    """Collects the primitive nodes, wires and weight homes of one composite's expansion."""

    def __init__(self) -> None:
        self.nodes: list[SubNode] = []
        self.edges: list[tuple[str, str]] = []
        self.weights: dict[str, str] = {}

    def add(
        self,
        name: str,
        block: str,
        params: Mapping[str, Any] | None = None,
        inputs: Sequence[str] = (IN,),
        weights: str | None = None,
    ) -> str:
        """Add node `name` fed by `inputs` (in port order); `weights` is its state_dict prefix in
        the composite."""
        self.nodes.append(SubNode(name, block, dict(params or {})))
        self.edges += [(src, name) for src in inputs]
        if weights is not None:
            self.weights[weights] = name
        return name

    def conv(
        self,
        name: str,
        src: str,
        out: int,
        k: int = 1,
        stride: int = 1,
        groups: int = 1,
        bias: bool = False,
        padding: int | None = None,
        weights: str | None = None,
    ) -> str:
        """A Conv2d node ('same' padding by default)."""
        params = {
            "out_channels": out,
            "kernel_size": k,
            "stride": stride,
            "padding": (k - 1) // 2 if padding is None else padding,
            "groups": groups,
            "bias": bias,
        }
        return self.add(name, "conv2d", params, (src,), weights)

    def bn(self, name: str, src: str, eps: float = 1e-5, weights: str | None = None) -> str:
        """A BatchNorm node."""
        return self.add(name, "batch_norm", {"eps": eps}, (src,), weights)

    def act(self, name: str, src: str, block: str = "relu") -> str:
        """A parameterless activation node (relu, relu6, silu, sigmoid)."""
        return self.add(name, block, None, (src,))

    def conv_bn(
        self,
        prefix: str,
        src: str,
        out: int,
        keys: tuple[str, str],
        k: int = 1,
        stride: int = 1,
        groups: int = 1,
        act: str | None = "relu",
        eps: float = 1e-5,
    ) -> str:
        """Conv (no bias) + BN (+ activation) nodes `<prefix>_conv`, `<prefix>_bn`,
        `<prefix>_<act>`; `keys` are the conv's and the BN's state_dict prefixes in the
        composite."""
        x = self.conv(f"{prefix}_conv", src, out, k, stride, groups, weights=keys[0])
        x = self.bn(f"{prefix}_bn", x, eps, weights=keys[1])
        return self.act(f"{prefix}_{act}", x, act) if act else x

    def se(self, prefix: str, src: str, channels: int, squeeze: int, act: str, weights: str) -> str:
        """Squeeze-excitation: pool, fc1, act, fc2, sigmoid gate, multiply (gate × input)."""
        x = self.add(f"{prefix}_pool", "global_avg_pool", None, (src,))
        x = self.conv(f"{prefix}_fc1", x, squeeze, bias=True, weights=join(weights, "fc1"))
        x = self.act(f"{prefix}_{act}", x, act)
        x = self.conv(f"{prefix}_fc2", x, channels, bias=True, weights=join(weights, "fc2"))
        x = self.act(f"{prefix}_gate", x, "sigmoid")
        return self.add(f"{prefix}_scale", "multiply", None, (x, src))

    def drop_path(self, name: str, src: str, p: float) -> str:
        """A stochastic-depth node when p > 0, else nothing (returns `src`)."""
        return self.add(name, "drop_path", {"p": p}, (src,)) if p > 0 else src

    def build(self, output: str) -> SubGraph:
        """The finished SubGraph whose output is node `output`."""
        return SubGraph(tuple(self.nodes), tuple(self.edges), output, dict(self.weights))
