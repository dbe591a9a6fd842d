"""The torch module a user's own block builds to (kept apart so the catalogue loads without
torch)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class SubGraphModule(nn.Module):
    """Runs named layers in order; layer i takes the values `wiring[i]` names (0 is the block's
    input, j > 0 is layer j-1's output); the result is layer `output`'s output."""

    def __init__(
        self,
        layers: list[tuple[str, nn.Module]],
        wiring: tuple[tuple[int, ...], ...],
        output: int,
    ) -> None:
        super().__init__()
        for name, module in layers:
            self.add_module(name, module)
        self._names = [name for name, _ in layers]
        self._wiring = wiring
        self._output = output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run every layer on the values it is wired to; the output layer's result."""
        values: list[Any] = [x]
        for name, ins in zip(self._names, self._wiring):
            values.append(self._modules[name](*[values[i] for i in ins]))
        return values[self._output + 1]
