"""Find image–mask pairs on disk: `images/` + `masks/` (optionally under `train/` and `val/`) or
the PASCAL VOC layout, with the class names of an optional `classes.txt`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.data.split import split_index
from runtime.segmentation.errors import MaskError
from runtime.segmentation.masks import open_mask_header, read_mask

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
VOC_CLASSES = (
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
    "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
    "train", "tvmonitor",
)  # fmt: skip
MAX_CLASSES = 255
"""Class ids are 0–254; 255 marks ignored pixels."""


@dataclass(frozen=True)
class Pairs:
    """Matching image and mask files of one split."""

    images: tuple[Path, ...]
    masks: tuple[Path, ...]

    def __len__(self) -> int:
        return len(self.images)

    def subset(self, index: np.ndarray) -> "Pairs":
        """The pairs at `index`."""
        return Pairs(tuple(self.images[i] for i in index), tuple(self.masks[i] for i in index))


@dataclass(frozen=True)
class PairSplits:
    """Training and validation pairs, the class names, and how the folder was read."""

    train: Pairs
    val: Pairs
    classes: tuple[str, ...]
    layout: str
    name: str


def _files(folder: Path) -> dict[str, Path]:
    """Image files of a folder by stem."""
    return {
        p.stem: p
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    }


def _match(images: Path, masks: Path) -> Pairs:
    """Every image with the mask of the same stem; MaskError naming the first image without one."""
    found, marks = _files(images), _files(masks)
    if not found:
        raise MaskError(images, "holds no image files")
    for stem, path in found.items():
        if stem not in marks:
            raise MaskError(
                path, f"has no mask: expected {masks.name}/{stem}.png (a mask of the same name)"
            )
    stems = sorted(found)
    return Pairs(tuple(found[s] for s in stems), tuple(marks[s] for s in stems))


def _voc_list(root: Path, split: str) -> list[str] | None:
    """The stems of ImageSets/Segmentation/<split>.txt, or None when the file is absent."""
    path = root / "ImageSets" / "Segmentation" / f"{split}.txt"
    if not path.is_file():
        return None
    return [
        line.split()[0] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _voc_pairs(root: Path, stems: list[str]) -> Pairs:
    """VOC pairs named by stems (JPEGImages/<stem>.jpg, SegmentationClass/<stem>.png)."""
    images, masks = [], []
    for stem in stems:
        image = root / "JPEGImages" / f"{stem}.jpg"
        mask = root / "SegmentationClass" / f"{stem}.png"
        if not image.is_file():
            raise MaskError(image, "is listed in ImageSets/Segmentation but does not exist")
        if not mask.is_file():
            raise MaskError(image, f"has no mask: expected SegmentationClass/{stem}.png")
        images.append(image)
        masks.append(mask)
    return Pairs(tuple(images), tuple(masks))


def read_classes(path: Path) -> tuple[str, ...]:
    """Class names of a classes.txt, one per line (id = line number from 0)."""
    names = tuple(
        line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    )
    if not 2 <= len(names) <= MAX_CLASSES:
        raise MaskError(path, f"names {len(names)} classes; segmentation needs 2–{MAX_CLASSES}")
    return names


def _check_headers(pairs: Pairs) -> None:
    """Each mask has its image's size and a mode of class ids (read from the file headers)."""
    from PIL import Image

    for image, mask in zip(pairs.images, pairs.masks):
        size, mode = open_mask_header(mask)
        if mode in ("RGB", "RGBA"):
            read_mask(mask)  # grey stored as RGB passes; colours are refused on one line
        try:
            with Image.open(image) as img:
                image_size = img.size
        except OSError as exc:
            raise MaskError(image, f"cannot be read as an image ({exc})") from None
        if size != image_size:
            raise MaskError(
                mask,
                f"is {size[0]}×{size[1]} but its image {image.name} is "
                f"{image_size[0]}×{image_size[1]}: a mask must have its image's size",
            )


def _counted_classes(pairs: list[Pairs], where: Path) -> tuple[str, ...]:
    """Classes '0'…'K-1' where K is one more than the highest id in all masks."""
    high = 0
    for part in pairs:
        for mask in part.masks:
            ids = read_mask(mask)
            valid = ids[ids != 255]
            high = max(high, int(valid.max()) if valid.size else 0)
    if high < 1:
        raise MaskError(where, "the masks hold a single class: segmentation needs at least two")
    return tuple(str(i) for i in range(high + 1))


def find_pairs(root: Path, validation: float, seed: int) -> PairSplits:
    """Read a segmentation folder; MaskError naming the file or folder at fault."""
    if not root.is_dir():
        raise MaskError(root, "is not a folder of images/ and masks/ (or the VOC layout)")
    classes_file = root / "classes.txt"
    if (root / "JPEGImages").is_dir() and (root / "SegmentationClass").is_dir():
        train_stems, val_stems = _voc_list(root, "train"), _voc_list(root, "val")
        if train_stems is None:
            every = sorted(_files(root / "SegmentationClass"))
            train_i, val_i = split_index(len(every), validation, seed, root.name)
            train_stems, val_stems = [every[i] for i in train_i], [every[i] for i in val_i]
        train = _voc_pairs(root, train_stems)
        val = _voc_pairs(root, val_stems) if val_stems is not None else None
        layout, default = "PASCAL VOC layout", VOC_CLASSES
    elif (root / "train" / "images").is_dir() and (root / "val" / "images").is_dir():
        train = _match(root / "train" / "images", root / "train" / "masks")
        val = _match(root / "val" / "images", root / "val" / "masks")
        layout, default = "train/ and val/ with images/ and masks/", None
    elif (root / "images").is_dir():
        if not (root / "masks").is_dir():
            raise MaskError(root, "has images/ but no masks/ folder beside it")
        train, val, layout, default = _match(root / "images", root / "masks"), None, "", None
    else:
        raise MaskError(
            root, "holds neither images/ and masks/ nor the VOC layout (JPEGImages/, "
            "SegmentationClass/, ImageSets/Segmentation/)"
        )  # fmt: skip
    if val is None:
        train_i, val_i = split_index(len(train), validation, seed, root.name)
        train, val = train.subset(train_i), train.subset(val_i)
        layout = layout or "images/ and masks/, random validation split"
    _check_headers(train)
    _check_headers(val)
    if classes_file.is_file():
        classes = read_classes(classes_file)
    else:
        classes = default or _counted_classes([train, val], root)
    return PairSplits(train, val, classes, layout, root.name)
