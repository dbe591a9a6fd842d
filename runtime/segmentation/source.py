"""Open the data a segmentation project's data section names: the generated demo held in memory,
or a folder of image–mask pairs streamed from worker processes (or cached in memory)."""

from __future__ import annotations

import numpy as np
import torch

from runtime.data.errors import DataError
from runtime.data.settings import DataSettings
from runtime.segmentation.demo import generate_demo
from runtime.segmentation.device_data import SegmentationDeviceData
from runtime.segmentation.joint_augment import JointAugment
from runtime.segmentation.maskset import MaskSet
from runtime.segmentation.output_fit import OutputFit
from runtime.segmentation.pairs import find_pairs
from runtime.segmentation.stream_data import PairImages, SegmentationStreamData

SOURCES = ("shapes", "folder")
"""Data sources a segmentation project reads."""
LARGEST_ZOOM_AREA = 0.25
"""Random crops of streamed pairs keep at least this share of the area (at most a 2× zoom)."""


def load_masks(settings: DataSettings, input_shape: tuple[int, int, int]) -> MaskSet:
    """The whole demo set, generated at the input size (not yet split)."""
    return generate_demo(settings.shapes_count, settings.split_seed, input_shape)


def refuse_without_masks(settings: DataSettings) -> None:
    """DataError on one line unless the source is one that holds masks."""
    if settings.source not in SOURCES:
        raise DataError(
            None,
            f"data source '{settings.source}' holds no masks: a segmentation project reads "
            "'shapes' (the generated demo) or 'folder' (images/ and masks/, or the VOC layout)",
        )


def open_segmentation(
    settings: DataSettings,
    input_shape: tuple[int, int, int],
    device: torch.device,
    fit: OutputFit | None = None,
    seed: int = 0,
    channels_last: bool = False,
) -> SegmentationDeviceData | SegmentationStreamData:
    """Training and validation batches of images and masks on `device`."""
    refuse_without_masks(settings)
    if settings.source == "shapes":
        train, val = load_masks(settings, input_shape).split(
            settings.validation, settings.split_seed
        )
        augment = JointAugment(1.0, settings.augment.crop_padding, settings.augment.flip)
        return SegmentationDeviceData(
            train, val, augment, device, fit, settings.augment.pca_jitter, channels_last
        )
    assert settings.path is not None  # parse_data requires a path for folders
    splits = find_pairs(settings.path, settings.validation, settings.split_seed)
    p = settings.preprocess
    random_crop = p.crop_for(tuple(input_shape[1:])) == "random_resized"
    zoom = max(p.scale_min, LARGEST_ZOOM_AREA) if random_crop else 1.0
    augment = JointAugment(zoom, 0, p.flip)
    if settings.cache:
        reader = PairImages(splits, input_shape)
        parts = []
        for split, pairs in enumerate((splits.train, splits.val)):
            decoded = [reader.load(split, i) for i in range(len(pairs))]
            parts.append(
                MaskSet(
                    np.stack([d[0] for d in decoded]),
                    np.stack([d[1] for d in decoded]),
                    splits.classes,
                    splits.name,
                )
            )
        return SegmentationDeviceData(parts[0], parts[1], augment, device, fit, 0.0, channels_last)
    return SegmentationStreamData(
        splits, input_shape, augment, device, fit, p.jitter, settings.workers, seed, channels_last
    )
