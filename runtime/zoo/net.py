"""A small helper for writing templates: add layers by name, wired to the previous one by
default."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterable, Iterator

from runtime.graph import Graph
from runtime.groups import GROUP_KEY
from runtime.layout import project_positions
from runtime.project import Project


class Net:
    """Builds a template graph; every `add` connects to the last layer unless `src` says
    otherwise."""

    def __init__(self, input_name: str = "input_image") -> None:
        self.graph = Graph()
        self._ids: dict[str, str] = {}
        self.last: str | None = None
        self.group: str | None = None
        """The group (runtime.groups) every added layer joins, while `stage` is active."""
        self.add("input", input_name)

    @contextmanager
    def stage(self, group: str) -> Iterator[None]:
        """Layers added inside `with net.stage("layer1"):` form the group `layer1`."""
        outer, self.group = self.group, group
        try:
            yield
        finally:
            self.group = outer

    def add(
        self, block: str, name: str, src: str | Iterable[str] | None = None, **params: Any
    ) -> str:
        """Add a `block` node called `name` fed by `src` (default: the last layer); returns
        `name`."""
        sources = [self.last] if src is None else [src] if isinstance(src, str) else list(src)
        extra = {GROUP_KEY: self.group} if self.group else None
        node = self.graph.add_node(block, params, name=name, extra=extra)
        for port, source in enumerate(s for s in sources if s is not None):
            self.graph.connect(self._ids[source], node.id, port)
        self._ids[name] = node.id
        self.last = name
        return name

    def conv(
        self,
        name: str,
        out: int,
        k: int,
        stride: int = 1,
        padding: int | str = "same",
        bias: bool = True,
        groups: int = 1,
        src: str | None = None,
    ) -> str:
        """A Conv2d layer."""
        return self.add(
            "conv2d",
            name,
            src,
            out_channels=out,
            kernel_size=k,
            stride=stride,
            padding=padding,
            bias=bias,
            groups=groups,
        )

    def conv_bn_act(
        self,
        name: str,
        out: int,
        k: int,
        stride: int = 1,
        padding: int | str = "same",
        groups: int = 1,
        act: str | None = "relu",
        src: str | None = None,
        bn_name: str | None = None,
        act_name: str | None = None,
        **bn: Any,
    ) -> str:
        """Conv (no bias) → BatchNorm → activation, named `name`, `bn_name`/`<name>_bn`,
        `<name>_<act>`."""
        self.conv(name, out, k, stride, padding, False, groups, src)
        self.add("batch_norm", bn_name or f"{name}_bn", **bn)
        if act:
            self.add(act, act_name or f"{name}_{act}")
        return self.last or name

    def max_pool(
        self,
        name: str,
        k: int,
        stride: int,
        padding: int = 0,
        ceil_mode: bool = False,
        src: str | None = None,
    ) -> str:
        """A MaxPool2d layer."""
        return self.add(
            "max_pool",
            name,
            src,
            kernel_size=k,
            stride=stride,
            padding=padding,
            ceil_mode=ceil_mode,
        )

    def linear(self, name: str, out: int, bias: bool = True) -> str:
        """A fully connected layer."""
        return self.add("linear", name, out_features=out, bias=bias)

    def project(self, name: str, input_shape: tuple[int, int, int], description: str) -> Project:
        """The finished Project, laid out in layers (runtime.layout)."""
        project = Project(self.graph, input_shape, name, " ".join(description.split()))
        for nid, pos in project_positions(project).items():
            self.graph.nodes[nid].pos = pos
        return project
