"""Map-style data sets that decode an image only when a batch needs it, and the order they are read
in."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from typing import Any, Iterator, Protocol, Sequence

import numpy as np
import torch

from runtime.data.augment import colour_jitter
from runtime.data.decode import BadImage
from runtime.data.index import FileIndex
from runtime.data.transform import ImageTransform


class Reader(Protocol):
    """Random access to one split's labelled images (a file index, a Hugging Face table …)."""

    classes: tuple[str, ...]
    labels: np.ndarray

    def __len__(self) -> int: ...

    def load(self, i: int) -> Any:
        """A path, encoded bytes or a decoded PIL image."""

    def describe(self, i: int) -> str:
        """How a person finds sample i (its file name)."""


class FileReader:
    """A Reader over a FileIndex."""

    def __init__(self, index: FileIndex) -> None:
        self.index = index
        self.root = str(index.root)
        self.classes = index.classes
        self.labels = index.labels

    def __len__(self) -> int:
        return len(self.index)

    def load(self, i: int) -> Any:
        """The file's path."""
        return os.path.join(self.root, self.index.paths[i])

    def describe(self, i: int) -> str:
        """The file's path."""
        return str(self.index.path(i))


@dataclass(frozen=True)
class Item:
    """What one sample decodes to: pixels or, for a bad file, the reason."""

    pixels: np.ndarray | None
    label: int
    split: int
    index: int
    problem: str = ""


class LazyImages(torch.utils.data.Dataset):
    """Training (split 0) and validation (split 1) samples decoded on demand; keys are (split, i,
    seed)."""

    def __init__(self, readers: Sequence[Reader], transforms: Sequence[ImageTransform]) -> None:
        self.readers, self.transforms = list(readers), list(transforms)

    def __len__(self) -> int:
        return sum(len(r) for r in self.readers)

    def __getitem__(self, key: tuple[int, int, int]) -> Item:
        split, i, seed = key
        reader = self.readers[split]
        label = int(reader.labels[i])
        transform = self.transforms[split]
        rng = random.Random(seed) if transform.random else None
        try:  # reports name the sample with reader.describe (only the reason is kept here)
            pixels = transform(reader.load(i), rng)
        except BadImage as exc:
            return Item(None, label, split, i, exc.message)
        except (OSError, ValueError) as exc:
            return Item(None, label, split, i, f"cannot be read ({exc})")
        return Item(pixels, label, split, i)


@dataclass
class Batch:
    """Stacked uint8 pixels, labels, and (split, index, reason) of the samples that could not be
    read."""

    images: torch.Tensor
    labels: torch.Tensor
    bad: list[tuple[int, int, str]]

    def pin_memory(self) -> "Batch":
        """Pinned copies (DataLoader calls this when pin_memory is on)."""
        return Batch(self.images.pin_memory(), self.labels.pin_memory(), self.bad)


def collate(items: list[Item]) -> Batch:
    """Stack the readable samples as uint8; list the others."""
    good = [it for it in items if it.pixels is not None]
    bad = [(it.split, it.index, it.problem) for it in items if it.pixels is None]
    if not good:
        return Batch(torch.empty(0, dtype=torch.uint8), torch.empty(0, dtype=torch.int64), bad)
    images = torch.from_numpy(np.stack([it.pixels for it in good]))
    return Batch(images, torch.tensor([it.label for it in good], dtype=torch.int64), bad)


def _shared_float(shape: torch.Size) -> torch.Tensor:
    """An empty float tensor; in a loader worker it lives in shared memory from the start, as
    DataLoader's own collate does: it is sent without a copy, and repeated multi-megabyte heap
    blocks (which glibc keeps after the first is freed) cannot pile up in the worker."""
    if torch.utils.data.get_worker_info() is None:
        return torch.empty(shape)
    numel = 1
    for n in shape:
        numel *= n
    storage = torch.empty(0)._typed_storage()._new_shared(numel, device="cpu")
    return torch.empty(0).new(storage).resize_(shape)


class FinishingCollate:
    """Stack, then colour-jitter (training samples) and standardise in the worker: used when
    training on the CPU, where the workers' cores do this work in parallel instead of the
    training process."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor, jitter: float) -> None:
        self.scale = (1.0 / (255.0 * std)).view(1, -1, 1, 1)
        self.shift = (-mean / std).view(1, -1, 1, 1)
        self.mean, self.std, self.jitter = mean.view(1, -1, 1, 1), std.view(1, -1, 1, 1), jitter

    def __call__(self, items: list[Item]) -> Batch:
        """One finished batch."""
        batch = collate(items)
        if not len(batch.labels):
            return batch
        x = _shared_float(batch.images.shape)
        x.copy_(batch.images)
        training = items[0].split == 0
        if training and self.jitter:
            seed = hash(tuple(it.index for it in items)) & (2**62 - 1)
            colour_jitter(x.mul_(1 / 255.0), self.jitter, torch.Generator().manual_seed(seed))
            x.sub_(self.mean).div_(self.std)
        else:
            x = x.mul_(self.scale).add_(self.shift)
        return Batch(x, batch.labels, batch.bad)


class EpochOrder(torch.utils.data.Sampler):
    """Batches of keys: training in an order fixed by (seed, epoch), or validation in file order.

    The same seed and epoch always give the same batches and the same augmentation, and `skip`
    starts an epoch part-way through, so a run resumed mid-epoch continues exactly."""

    def __init__(self, train_size: int, val_size: int, seed: int) -> None:
        self.train_size, self.val_size, self.seed = train_size, val_size, seed
        self.batch_size, self.epoch, self.skip, self.split = 1, 0, 0, 0
        self.rank, self.size = 0, 1

    def shard(self, rank: int, size: int) -> None:
        """Serve process `rank` of `size` alone: its part of every global batch (`size` batches
        wide) and every `size`-th validation batch."""
        self.rank, self.size = rank, size

    def training(self, batch_size: int, epoch: int, skip: int = 0) -> None:
        """Serve epoch `epoch` of the training split from batch `skip` on (last partial batch
        dropped)."""
        self.batch_size, self.epoch, self.skip, self.split = batch_size, epoch, skip, 0

    def validation(self, batch_size: int) -> None:
        """Serve the validation split in order."""
        self.batch_size, self.skip, self.split = batch_size, 0, 1

    def epoch_keys(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """The shuffled positions and per-sample seeds of one training epoch."""
        rng = np.random.default_rng([self.seed, epoch])
        return rng.permutation(self.train_size), rng.integers(0, 2**62, self.train_size)

    def __iter__(self) -> Iterator[list[tuple[int, int, int]]]:
        if self.split == 1:
            starts = range(0, self.val_size, self.batch_size)
            for start in list(starts)[self.rank :: self.size]:
                yield [(1, i, 0) for i in range(start, min(start + self.batch_size, self.val_size))]
            return
        order, seeds = self.epoch_keys(self.epoch)
        size = min(self.batch_size * self.size, self.train_size)
        for b in range(self.skip, max(1, self.train_size // size)):
            part = slice(b * size + self.rank, (b + 1) * size, self.size)
            yield [(0, int(i), int(s)) for i, s in zip(order[part], seeds[part])]

    def __len__(self) -> int:
        if self.split == 1:
            return len(range(self.rank, -(-self.val_size // self.batch_size), self.size))
        wide = min(self.batch_size * self.size, self.train_size)
        return max(0, max(1, self.train_size // wide) - self.skip)
