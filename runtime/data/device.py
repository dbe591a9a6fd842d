"""The split data set held on the training device as uint8, served as normalised, augmented
batches."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import torch

from runtime.data.augment import pca_jitter, random_crop, random_flip
from runtime.data.dataset import ImageSet
from runtime.data.settings import Augment
from runtime.data.split import channel_stats, pca_basis


class DeviceData:
    """Training and validation tensors on `device`; statistics come from the training split only."""

    def __init__(
        self,
        train: ImageSet,
        val: ImageSet,
        augment: Augment,
        device: torch.device,
        channels_last: bool = False,
    ) -> None:
        self.device = device
        self.classes = train.classes
        self.name = train.name
        self.augment = augment
        self.train_x = torch.from_numpy(train.images).to(device)
        self.train_y = torch.from_numpy(train.labels).to(device)
        self.val_x = torch.from_numpy(val.images).to(device)
        self.val_y = torch.from_numpy(val.labels).to(device)
        mean, std = channel_stats(train)
        self.mean = torch.from_numpy(mean).to(device).view(1, -1, 1, 1)
        self.std = torch.from_numpy(std).to(device).view(1, -1, 1, 1)
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.pca = None
        if augment.pca_jitter > 0 and train.shape[0] == 3:
            values, vectors = pca_basis(train)
            self.pca = (torch.from_numpy(values).to(device), torch.from_numpy(vectors).to(device))

    @property
    def train_size(self) -> int:
        """Number of training samples."""
        return len(self.train_y)

    @property
    def val_size(self) -> int:
        """Number of validation samples."""
        return len(self.val_y)

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (N, C, H, W) → float, standardised with the training split's statistics."""
        x = (images.float() / 255.0 - self.mean) / self.std
        return x.contiguous(memory_format=self.memory_format)

    def _augmented(self, images: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        """Augment a uint8 batch (as 0–1 floats) and standardise it."""
        x = images.float() / 255.0
        if self.augment.crop_padding:
            x = random_crop(x, self.augment.crop_padding, gen)
        if self.augment.flip:
            x = random_flip(x, gen)
        if self.pca is not None:
            x = pca_jitter(x, *self.pca, self.augment.pca_jitter, gen)
        return ((x - self.mean) / self.std).contiguous(memory_format=self.memory_format)

    def steps_per_epoch(self, batch_size: int) -> int:
        """Full batches per epoch (the last partial batch is dropped; at least one)."""
        return max(1, self.train_size // batch_size)

    def train_batches(
        self, batch_size: int, gen: torch.Generator, epoch: int = 0, skip: int = 0
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """One epoch of shuffled, augmented batches (the order follows `gen`; `epoch` and `skip` are
        used by lazy sources, whose order depends on the epoch alone)."""
        order = torch.randperm(self.train_size, generator=gen, device=self.device)
        size = min(batch_size, self.train_size)
        for i in range(self.steps_per_epoch(batch_size)):
            index = order[i * size : (i + 1) * size]
            yield self._augmented(self.train_x[index], gen), self.train_y[index]

    notes: tuple[str, ...] = ()
    """How images are adapted to the network (nothing: in-memory sets must match it exactly)."""

    def first_val_image(self) -> np.ndarray:
        """The first validation image as uint8 (C, H, W): the feature-map panel's probe."""
        return self.val_x[0].cpu().numpy()

    def probe_batch(self, count: int = 1) -> torch.Tensor:
        """The first `count` validation images, normalised (the probes of the live panels)."""
        return self.normalise(self.val_x[:count])

    skipped: list[str] = []
    """Files a cached lazy source could not decode (reported once)."""

    def drain_warnings(self) -> list[str]:
        """Unreadable files met while filling the memory cache, once; in-memory sets have none."""
        found, self.skipped = self.skipped, []
        return found

    def close(self) -> None:
        """Nothing to release beyond the tensors."""

    def val_batches(self, batch_size: int = 1000) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The validation set in order, normalised, not augmented."""
        for i in range(0, self.val_size, batch_size):
            yield self.normalise(self.val_x[i : i + batch_size]), self.val_y[i : i + batch_size]
