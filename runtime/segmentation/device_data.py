"""A segmentation set held on the training device as uint8, served as normalised, jointly
augmented batches of images and masks."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import torch

from runtime.data.augment import pca_jitter
from runtime.data.split import channel_stats, pca_basis
from runtime.segmentation.joint_augment import JointAugment
from runtime.segmentation.maskset import MaskSet
from runtime.segmentation.output_fit import OutputFit


class SegmentationBatches:
    """What every segmentation source shares: statistics, normalisation, the mask crop."""

    device: torch.device
    mean: torch.Tensor
    std: torch.Tensor
    fit: OutputFit | None
    memory_format: torch.memory_format
    notes: tuple[str, ...] = ()

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (N, C, H, W) → float, standardised with the training split's statistics."""
        x = (images.to(self.device).float() / 255.0 - self.mean) / self.std
        return x.contiguous(memory_format=self.memory_format)

    def targets(self, masks: torch.Tensor) -> torch.Tensor:
        """Masks as int64 class ids, cropped to the network's output."""
        masks = masks.to(self.device).long()
        return self.fit.crop(masks) if self.fit is not None else masks

    def steps_per_epoch(self, batch_size: int) -> int:
        """Full batches per epoch (the last partial batch is dropped; at least one)."""
        return max(1, self.train_size // batch_size)

    def drain_warnings(self) -> list[str]:
        """Nothing to report: masks that cannot be used stop the run instead."""
        return []

    @property
    def train_size(self) -> int:
        """Number of training samples."""
        raise NotImplementedError

    def probe_mask(self) -> np.ndarray:
        """The mask of the panels' fixed validation image, uint8 (H, W), cropped to the output."""
        raise NotImplementedError


class SegmentationDeviceData(SegmentationBatches):
    """Training and validation images and masks on `device`."""

    def __init__(
        self,
        train: MaskSet,
        val: MaskSet,
        augment: JointAugment,
        device: torch.device,
        fit: OutputFit | None = None,
        pca_sigma: float = 0.0,
        channels_last: bool = False,
    ) -> None:
        self.device, self.fit, self.augment = device, fit, augment
        self.classes, self.name = train.classes, train.name
        self.train_x = torch.from_numpy(train.images).to(device)
        self.train_y = torch.from_numpy(train.masks).to(device)
        self.val_x = torch.from_numpy(val.images).to(device)
        self.val_y = torch.from_numpy(val.masks).to(device)
        mean, std = channel_stats(train)  # type: ignore[arg-type]  # uses .images only
        self.mean = torch.from_numpy(mean).to(device).view(1, -1, 1, 1)
        self.std = torch.from_numpy(std).to(device).view(1, -1, 1, 1)
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.pca, self.pca_sigma = None, pca_sigma
        if pca_sigma > 0 and train.shape[0] == 3:
            values, vectors = pca_basis(train)  # type: ignore[arg-type]
            self.pca = (torch.from_numpy(values).to(device), torch.from_numpy(vectors).to(device))

    @property
    def train_size(self) -> int:
        """Number of training samples."""
        return len(self.train_x)

    @property
    def val_size(self) -> int:
        """Number of validation samples."""
        return len(self.val_x)

    def train_batches(
        self, batch_size: int, gen: torch.Generator, epoch: int = 0, skip: int = 0
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """One epoch of shuffled batches, image and mask augmented alike."""
        order = torch.randperm(self.train_size, generator=gen, device=self.device)
        size = min(batch_size, self.train_size)
        for i in range(self.steps_per_epoch(batch_size)):
            index = order[i * size : (i + 1) * size]
            x = self.train_x[index].float() / 255.0
            x, y = self.augment(x, self.train_y[index], gen)
            if self.pca is not None:
                x = pca_jitter(x, *self.pca, self.pca_sigma, gen)
            x = ((x - self.mean) / self.std).contiguous(memory_format=self.memory_format)
            yield x, self.targets(y)

    def val_batches(self, batch_size: int = 64) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The validation set in order, normalised, not augmented."""
        for i in range(0, self.val_size, batch_size):
            yield (
                self.normalise(self.val_x[i : i + batch_size]),
                self.targets(self.val_y[i : i + batch_size]),
            )

    def first_val_image(self) -> np.ndarray:
        """The first validation image as uint8 (C, H, W)."""
        return self.val_x[0].cpu().numpy()

    def probe_batch(self, count: int = 1) -> torch.Tensor:
        """The first `count` validation images, normalised."""
        return self.normalise(self.val_x[:count])

    def probe_mask(self) -> np.ndarray:
        """The first validation mask, cropped to the output."""
        return self.targets(self.val_y[:1])[0].to(torch.uint8).cpu().numpy()

    def close(self) -> None:
        """Nothing to release beyond the tensors."""
