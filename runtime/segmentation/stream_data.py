"""Image–mask pairs decoded file by file in DataLoader worker processes, resized to the network's
input (bilinear for images, nearest neighbour for masks), augmented jointly on the device."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
from PIL import Image

from runtime.data.augment import colour_jitter
from runtime.data.lazy import EpochOrder
from runtime.data.stream import persistent_loader, worker_count
from runtime.segmentation.device_data import SegmentationBatches
from runtime.segmentation.errors import MaskError
from runtime.segmentation.joint_augment import JointAugment
from runtime.segmentation.masks import read_mask
from runtime.segmentation.output_fit import OutputFit
from runtime.segmentation.pairs import PairSplits

STATS_IMAGES = 64
"""Training images the normalisation statistics are measured on."""


@dataclass(frozen=True)
class PairItem:
    """One decoded pair, or the file at fault and why."""

    pixels: np.ndarray | None
    mask: np.ndarray | None
    problem: str = ""
    where: str = ""


class PairImages(torch.utils.data.Dataset):
    """Decodes (split, i, seed) keys to PairItems at the input size."""

    def __init__(self, splits: PairSplits, shape: tuple[int, int, int]) -> None:
        self.parts = (splits.train, splits.val)
        self.classes = len(splits.classes)
        self.channels, self.size = shape[0], (shape[2], shape[1])

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def load(self, split: int, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(C, H, W) uint8 pixels and (H, W) uint8 class ids; MaskError for a bad file."""
        image_path, mask_path = self.parts[split].images[i], self.parts[split].masks[i]
        ids = read_mask(mask_path, self.classes)
        try:
            with Image.open(image_path) as img:
                img = img.convert("L" if self.channels == 1 else "RGB")
                if img.size[::-1] != ids.shape:
                    raise MaskError(
                        mask_path,
                        f"is {ids.shape[1]}×{ids.shape[0]} but its image is "
                        f"{img.size[0]}×{img.size[1]}: a mask must have its image's size",
                    )
                img = img.resize(self.size, Image.Resampling.BILINEAR)
        except OSError as exc:
            raise MaskError(image_path, f"cannot be read as an image ({exc})") from None
        mask = Image.fromarray(ids).resize(self.size, Image.Resampling.NEAREST)
        pixels = np.array(img, dtype=np.uint8)
        pixels = pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
        return pixels, np.array(mask, dtype=np.uint8)

    def __getitem__(self, key: tuple[int, int, int]) -> PairItem:
        split, i, _ = key
        try:
            pixels, mask = self.load(split, i)
        except MaskError as exc:
            return PairItem(None, None, exc.message, str(exc.path))
        return PairItem(pixels, mask)


def collate_pairs(items: list[PairItem]) -> tuple[torch.Tensor, torch.Tensor, tuple[str, str]]:
    """Stacked uint8 images and masks, and the first problem met ('', '' when none)."""
    bad = next(((it.where, it.problem) for it in items if it.pixels is None), ("", ""))
    good = [it for it in items if it.pixels is not None]
    if not good:
        return torch.empty(0, dtype=torch.uint8), torch.empty(0, dtype=torch.uint8), bad
    images = torch.from_numpy(np.stack([it.pixels for it in good]))
    return images, torch.from_numpy(np.stack([it.mask for it in good])), bad


class SegmentationStreamData(SegmentationBatches):
    """The same interface as SegmentationDeviceData, over files read by worker processes."""

    def __init__(
        self,
        splits: PairSplits,
        shape: tuple[int, int, int],
        augment: JointAugment,
        device: torch.device,
        fit: OutputFit | None = None,
        jitter: float = 0.0,
        workers: int = -1,
        seed: int = 0,
        channels_last: bool = False,
    ) -> None:
        self.splits, self.device, self.fit, self.augment = splits, device, fit, augment
        self.classes, self.name, self.jitter = splits.classes, splits.name, jitter
        self.dataset = PairImages(splits, shape)
        self.order = EpochOrder(len(splits.train), len(splits.val), seed)
        self.workers = worker_count(workers)
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self._loader: torch.utils.data.DataLoader | None = None
        sample = [self._decoded(0, i) for i in range(min(STATS_IMAGES, len(splits.train)))]
        pixels = np.stack([p for p, _ in sample]).astype(np.float64) / 255.0
        mean, std = pixels.mean(axis=(0, 2, 3)), np.maximum(pixels.std(axis=(0, 2, 3)), 1e-3)
        self.mean = torch.tensor(mean, dtype=torch.float32, device=device).view(1, -1, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32, device=device).view(1, -1, 1, 1)
        self._probe = self._decoded(1, 0)

    def _decoded(self, split: int, i: int) -> tuple[np.ndarray, np.ndarray]:
        """One pair decoded here; MaskError for a bad file."""
        return self.dataset.load(split, i)

    @property
    def train_size(self) -> int:
        """Number of training samples."""
        return len(self.splits.train)

    @property
    def val_size(self) -> int:
        """Number of validation samples."""
        return len(self.splits.val)

    def loader(self) -> torch.utils.data.DataLoader:
        """One DataLoader for both splits; its workers persist across epochs."""
        if self._loader is None:
            self._loader = persistent_loader(
                self.dataset, self.order, self.workers, collate_pairs, self.device
            )
        return self._loader

    def _batches(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The loader's batches; the first bad pair stops the run on one line naming it."""
        for images, masks, (where, problem) in self.loader():
            if problem:
                raise MaskError(where or None, problem)
            if len(images):
                yield images, masks

    def train_batches(
        self, batch_size: int, gen: torch.Generator, epoch: int = 0, skip: int = 0
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """One epoch in an order fixed by the seed and epoch, image and mask augmented alike."""
        self.order.training(batch_size, epoch, skip)
        for images, masks in self._batches():
            x = images.to(self.device, non_blocking=True).float() / 255.0
            x, y = self.augment(x, masks.to(self.device, non_blocking=True), gen)
            if self.jitter:
                x = colour_jitter(x, self.jitter, gen)
            x = ((x - self.mean) / self.std).contiguous(memory_format=self.memory_format)
            yield x, self.targets(y)

    def val_batches(self, batch_size: int = 64) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The validation set in order, normalised, not augmented."""
        self.order.validation(batch_size)
        for images, masks in self._batches():
            yield self.normalise(images), self.targets(masks)

    def first_val_image(self) -> np.ndarray:
        """The first validation image as uint8 (C, H, W)."""
        return self._probe[0]

    def probe_batch(self, count: int = 1) -> torch.Tensor:
        """The first `count` validation images, normalised."""
        n = max(1, min(count, self.val_size))
        pixels = [self._probe[0]] + [self._decoded(1, i)[0] for i in range(1, n)]
        return self.normalise(torch.from_numpy(np.stack(pixels)))

    def probe_mask(self) -> np.ndarray:
        """The first validation mask, cropped to the output."""
        mask = torch.from_numpy(self._probe[1])
        return (self.fit.crop(mask) if self.fit is not None else mask).numpy()

    def close(self) -> None:
        """End the worker processes."""
        loader, self._loader = self._loader, None
        if loader is not None and getattr(loader, "_iterator", None) is not None:
            loader._iterator._shutdown_workers()  # noqa: SLF001 - DataLoader has no public close
