"""A lazy source served as training batches by DataLoader worker processes, normalised on the
device."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from typing import Any, Callable, Iterator

import numpy as np
import torch

from runtime.data.augment import colour_jitter
from runtime.data.errors import DataError
from runtime.data.lazy import Batch, EpochOrder, FinishingCollate, LazyImages, collate
from runtime.data.settings import MAX_WORKERS, DataSettings
from runtime.data.splits import Splits
from runtime.data.stats import adaptation_notes, channel_stats
from runtime.data.transform import ImageTransform

BAD_LIMIT = 0.01
"""A run stops when more than this share of its files cannot be read."""
REPORTED = 5
"""Names of unreadable files listed in a warning."""


def worker_count(requested: int) -> int:
    """Loader processes: the request, or the cores (at most MAX_WORKERS); 0 inside a daemon
    process."""
    if mp.current_process().daemon:
        return 0  # a daemonic process may not start children: decode in this process instead
    if requested >= 0:
        return requested
    return max(
        1,
        min(
            MAX_WORKERS,
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1,
        ),
    )


def worker_context(workers: int) -> Any:
    """How loader processes start: forkserver when this process already runs threads (forking a
    threaded process can deadlock), else the platform's default (None)."""
    if workers and threading.active_count() > 1:
        return mp.get_context("forkserver")
    return None


def persistent_loader(
    dataset: torch.utils.data.Dataset,
    order: torch.utils.data.Sampler,
    workers: int,
    collate: Callable,
    device: torch.device,
    prefetch: int | None = None,
) -> torch.utils.data.DataLoader:
    """A DataLoader whose worker processes live across epochs and validation passes, started by
    forkserver when this process already runs threads (forking a threaded process can
    deadlock)."""
    return torch.utils.data.DataLoader(
        dataset,
        batch_sampler=order,
        num_workers=workers,
        collate_fn=collate,
        pin_memory=device.type == "cuda",
        persistent_workers=workers > 0,
        prefetch_factor=prefetch if workers else None,
        multiprocessing_context=worker_context(workers),
    )


class StreamData:
    """The same interface as DeviceData, over files decoded in worker processes.

    For an accelerator, pixels arrive as uint8 (little to copy), move to the device without
    blocking (from pinned memory), and are colour-jittered and standardised there per batch. On the
    CPU the workers do that last step too, in parallel with the training process.
    """

    def __init__(
        self,
        splits: Splits,
        settings: DataSettings,
        input_shape: tuple[int, int, int],
        device: torch.device,
        seed: int = 0,
        channels_last: bool = False,
    ) -> None:
        c, h, w = input_shape
        self.splits, self.device, self.settings = splits, device, settings
        self.classes = splits.classes
        self.name = splits.name
        self.preprocess = settings.preprocess
        self.transforms = (
            ImageTransform(c, (h, w), settings.preprocess, train=True),
            ImageTransform(c, (h, w), settings.preprocess, train=False),
        )
        mean, std, seen = channel_stats(
            splits.train, self.transforms[1], splits.identity, settings.preprocess.normalise
        )
        self.mean = torch.from_numpy(mean).to(device).view(1, -1, 1, 1)
        self.std = torch.from_numpy(std).to(device).view(1, -1, 1, 1)
        self.notes = adaptation_notes(seen, c, (h, w), settings.preprocess.shorter_side((h, w)))
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.dataset = LazyImages([splits.train, splits.val], self.transforms)
        self.order = EpochOrder(len(splits.train), len(splits.val), seed)
        self.workers = worker_count(settings.workers)
        self._loader: torch.utils.data.DataLoader | None = None
        self.bad: dict[tuple[int, int], str] = {}
        self._reported = 0
        self._probes: list[np.ndarray] = []

    @property
    def train_size(self) -> int:
        """Number of training samples."""
        return len(self.splits.train)

    @property
    def val_size(self) -> int:
        """Number of validation samples."""
        return len(self.splits.val)

    def loader(self) -> torch.utils.data.DataLoader:
        """One DataLoader for both splits; its workers persist across epochs and validation
        passes."""
        if self._loader is None:
            finish = collate
            if self.workers and self.device.type == "cpu":  # no accelerator: the workers' cores
                finish = FinishingCollate(
                    self.mean.view(-1).cpu(), self.std.view(-1).cpu(), self.preprocess.jitter
                )
            self._loader = persistent_loader(
                self.dataset, self.order, self.workers, finish, self.device, prefetch=4
            )
        return self._loader

    def steps_per_epoch(self, batch_size: int) -> int:
        """Full batches per epoch (the last partial batch is dropped; at least one)."""
        return max(1, self.train_size // batch_size)

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (N, C, H, W) → float, standardised with the training sample's statistics (batches
        the workers already standardised pass through)."""
        x = images.to(self.device, non_blocking=True)
        if x.dtype == torch.uint8:  # in place: one batch-sized float tensor, not three
            x = x.float().mul_(1 / 255.0).sub_(self.mean).div_(self.std)
        return x.contiguous(memory_format=self.memory_format)

    def _augmented(self, images: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        """Colour jitter (on the device, one batch at a time) and standardisation."""
        if images.dtype != torch.uint8:
            return images.contiguous(memory_format=self.memory_format)  # finished by the workers
        x = images.to(self.device, non_blocking=True).float().mul_(1 / 255.0)
        if self.preprocess.jitter:
            x = colour_jitter(x, self.preprocess.jitter, gen)
        return x.sub_(self.mean).div_(self.std).contiguous(memory_format=self.memory_format)

    def _batches(self) -> Iterator[Batch]:
        """Batches of the loader, with unreadable files counted (and the run stopped past
        BAD_LIMIT)."""
        for batch in self.loader():
            for split, i, problem in batch.bad:
                self.bad.setdefault((split, i), problem)
            if len(self.bad) > BAD_LIMIT * (self.train_size + self.val_size):
                raise DataError(
                    None,
                    f"{len(self.bad)} of {self.train_size + self.val_size:,} files "
                    f"cannot be read (more than {BAD_LIMIT:.0%}); first: "
                    f"{'; '.join(self.bad_names(REPORTED))}",
                )
            if len(batch.labels):
                yield batch

    def bad_names(self, count: int) -> list[str]:
        """'file: reason' for the first `count` unreadable files."""
        readers = (self.splits.train, self.splits.val)
        return [
            f"{readers[s].describe(i)}: {why}" for (s, i), why in list(self.bad.items())[:count]
        ]

    def train_batches(
        self, batch_size: int, gen: torch.Generator, epoch: int = 0, skip: int = 0
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """One epoch of shuffled, augmented batches (the order depends on the seed and epoch
        only)."""
        self.order.training(batch_size, epoch, skip)
        for batch in self._batches():
            yield (
                self._augmented(batch.images, gen),
                batch.labels.to(self.device, non_blocking=True),
            )

    def val_batches(self, batch_size: int = 256) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The validation set in order, normalised, not augmented."""
        self.order.validation(batch_size)
        for batch in self._batches():
            yield self.normalise(batch.images), batch.labels.to(self.device, non_blocking=True)

    def _probe_images(self, count: int) -> list[np.ndarray]:
        """The first `count` readable validation images as uint8 (C, H, W), decoded once."""
        if len(self._probes) < count:
            self._probes = []
            for i in range(min(self.val_size, count + 50)):
                item = self.dataset[(1, i, 0)]
                if item.pixels is not None:
                    self._probes.append(item.pixels)
                if len(self._probes) == count:
                    break
            if not self._probes:
                raise DataError(
                    None, f"none of the first validation images of {self.splits.name} can be read"
                )
        return self._probes[:count]

    def first_val_image(self) -> np.ndarray:
        """A readable validation image as uint8 (C, H, W): the feature-map panel's probe."""
        return self._probe_images(1)[0]

    def probe_batch(self, count: int = 1) -> torch.Tensor:
        """The first `count` readable validation images, normalised (the live panels' probes)."""
        pixels = torch.from_numpy(np.stack(self._probe_images(count)))
        return self.normalise(pixels)

    def drain_warnings(self) -> list[str]:
        """A message about files found unreadable since the last call (empty when none)."""
        if len(self.bad) == self._reported:
            return []
        self._reported = len(self.bad)
        names = self.bad_names(REPORTED)
        more = f" and {len(self.bad) - len(names)} more" if len(self.bad) > len(names) else ""
        return [
            f"skipped {len(self.bad)} unreadable file{'s' if len(self.bad) > 1 else ''}: "
            f"{'; '.join(names)}{more}"
        ]

    def close(self) -> None:
        """End the worker processes."""
        loader, self._loader = self._loader, None
        if loader is not None and getattr(loader, "_iterator", None) is not None:
            loader._iterator._shutdown_workers()  # noqa: SLF001 - DataLoader has no public close
