"""A data set split across the processes of a distributed run: each trains on its share of every
global batch and validates its share of the validation set."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DistributedSampler

from runtime.data.device import DeviceData
from runtime.data.stream import StreamData


class ShardedData:
    """`inner` as seen by process `rank` of `size`; every other attribute is the inner set's.

    The order of an epoch depends on the seed and the epoch alone (DistributedSampler with
    set_epoch for in-memory sets, the per-epoch keys for lazy ones), so a run resumed with another
    number of processes sees the same global batches."""

    def __init__(self, inner: DeviceData | StreamData, rank: int, size: int, seed: int) -> None:
        self.inner, self.rank, self.size = inner, rank, size
        self.sampler = DistributedSampler(
            range(inner.train_size), size, rank, shuffle=True, seed=seed, drop_last=True
        )
        if isinstance(inner, StreamData):
            inner.order.shard(rank, size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def steps_per_epoch(self, batch_size: int) -> int:
        """Iterations per epoch of every process at `batch_size` per process (at least one)."""
        return max(1, self.inner.train_size // (batch_size * self.size))

    def train_batches(
        self, batch_size: int, gen: torch.Generator, epoch: int = 0, skip: int = 0
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """This process's part of each global batch of epoch `epoch`, augmented with `gen`."""
        if isinstance(self.inner, StreamData):
            yield from self.inner.train_batches(batch_size, gen, epoch, skip)
            return
        self.sampler.set_epoch(epoch)
        mine = torch.tensor(list(self.sampler), device=self.inner.device)
        size = min(batch_size, len(mine))
        data = self.inner
        for i in range(self.steps_per_epoch(batch_size)):
            index = mine[i * size : (i + 1) * size]
            yield data._augmented(data.train_x[index], gen), data.train_y[index]

    def val_batches(self, batch_size: int = 256) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """This process's contiguous share of the validation set (shares cover it exactly once)."""
        if isinstance(self.inner, StreamData):
            yield from self.inner.val_batches(batch_size)
            return
        n, data = self.inner.val_size, self.inner
        start, stop = n * self.rank // self.size, n * (self.rank + 1) // self.size
        for i in range(start, stop, batch_size):
            end = min(i + batch_size, stop)
            yield data.normalise(data.val_x[i:end]), data.val_y[i:end]
