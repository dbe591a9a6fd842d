"""Small segmentation projects and image–mask folders written by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from runtime.project import Project
from runtime.zoo.net import Net

VOC_PALETTE = [0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0] + [0] * (256 - 4) * 3


def tiny_segmenter(
    classes: int = 5, size: int = 32, data: dict | None = None, **training
) -> Project:
    """A two-convolution padded segmenter on the generated demo (or `data`)."""
    net = Net()
    net.conv("conv1", 8, 3, padding=1)
    net.add("relu", "relu1")
    net.conv("classifier", classes, 1, padding=0)
    net.add("output", "segmentation", num_classes=0)
    project = net.project("Tiny segmenter", (3, size, size), "a tiny test segmenter")
    project.task = "segmentation"
    project.data = data or {"source": "shapes", "shapes_count": 40, "validation": 8}
    project.training = {
        "epochs": 1,
        "batch_size": 8,
        "optimizer": "adam",
        "lr": 0.01,
        "log_every": 1,
        "device": "cpu",
        **training,
    }
    return project


def pair(size: int = 24, seed: int = 0, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """An RGB image whose red channel encodes its mask (class k → 80·k), and the mask."""
    rng = np.random.default_rng(seed)
    mask = np.zeros((size, size), np.uint8)
    for k in range(1, classes):
        y, x = rng.integers(0, size - 8, 2)
        mask[y : y + 8, x : x + 8] = k
    image = np.stack([mask * 80, np.full_like(mask, 30), 255 - mask * 60], axis=2)
    return image.astype(np.uint8), mask


def write_folder(
    root: Path, count: int = 6, size: int = 24, palette: bool = False, classes_txt: bool = True
) -> Path:
    """images/ and masks/ of `count` pairs (masks as palette PNGs when asked), with classes.txt."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for i in range(count):
        image, mask = pair(size, i)
        Image.fromarray(image).save(root / "images" / f"p{i}.png")
        m = Image.fromarray(mask)
        if palette:
            m = m.convert("P")
            m.putpalette(VOC_PALETTE)
        m.save(root / "masks" / f"p{i}.png")
    if classes_txt:
        (root / "classes.txt").write_text("background\nred\ngreen\n", encoding="utf-8")
    return root


def write_voc(root: Path, count: int = 6, size: int = 24) -> Path:
    """The PASCAL VOC layout: JPEGImages/, palette masks with a 255 border in
    SegmentationClass/, and ImageSets/Segmentation/{train,val}.txt."""
    for sub in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (root / sub).mkdir(parents=True)
    stems = [f"2007_{i:06d}" for i in range(count)]
    for i, stem in enumerate(stems):
        image, mask = pair(size, i)
        mask[0, :] = 255  # VOC marks object borders "ignore"
        Image.fromarray(image).save(root / "JPEGImages" / f"{stem}.jpg", quality=95)
        m = Image.fromarray(mask, mode="L").convert("P")
        m.putpalette(VOC_PALETTE)
        m.save(root / "SegmentationClass" / f"{stem}.png")
    lists = root / "ImageSets" / "Segmentation"
    (lists / "train.txt").write_text("\n".join(stems[:-2]) + "\n", encoding="utf-8")
    (lists / "val.txt").write_text("\n".join(stems[-2:]) + "\n", encoding="utf-8")
    return root
