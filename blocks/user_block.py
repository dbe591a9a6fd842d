"""The module a user's own block compiles to: its inner layers, run in order on their wires.

The definition (what the block is made of) lives in runtime.userblocks; here is only what compile
and shape probing build, so the catalogue stays free of files and folders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from blocks.lazy import lazy
from blocks.spec import Ctor

if TYPE_CHECKING:
    from torch import nn

user_block_module = lazy("blocks.user_block_module")


@dataclass(frozen=True)
class UserBlockCtor(Ctor):
    """The constructor of a user block: builds a SubGraphModule from its inner layers' Ctors.

    `kwargs` hold the values exported code passes to the block's own class (input channels and
    the exposed parameters); `layers`, `wiring` and `output` describe what it is made of.
    """

    block_id: str = ""
    layers: tuple[tuple[str, Ctor], ...] = ()
    wiring: tuple[tuple[int, ...], ...] = ()
    output: int = 0
    in_shape: tuple[int, ...] = ()

    def build(self) -> nn.Module:
        """The SubGraphModule, its layers built in order."""
        built = [(name, ctor.build()) for name, ctor in self.layers]
        return user_block_module.SubGraphModule(built, self.wiring, self.output)

    def render(self) -> str:
        """A readable call naming the block (exported code renders it through its own class)."""
        parts = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"{self.block_id}({parts})"

    def classes(self) -> list[type[nn.Module]]:
        """The module classes of the inner layers (the SubGraphModule itself is not copied)."""
        return [cls for _, ctor in self.layers for cls in ctor.classes()]
