"""Segmentation data: both folder layouts, palette masks, the ignore index, the generated demo,
joint augmentation, and each bad input refused on one line naming the file."""

import numpy as np
import pytest
import torch
from PIL import Image

from runtime.data.settings import parse_data
from runtime.segmentation import IGNORE
from runtime.segmentation.demo import CLASSES, generate_demo
from runtime.segmentation.errors import MaskError
from runtime.segmentation.joint_augment import JointAugment
from runtime.segmentation.masks import read_mask
from runtime.segmentation.pairs import find_pairs
from runtime.segmentation.source import open_segmentation
from tests.runtime.segmentation_helpers import pair, write_folder, write_voc

CPU = torch.device("cpu")


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_images_and_masks_folders_pair_by_stem_with_named_classes(tmp_path):
    root = write_folder(tmp_path / "set", count=10)
    splits = find_pairs(root, 0.2, 0)
    assert splits.classes == ("background", "red", "green")
    assert (len(splits.train), len(splits.val)) == (8, 2)
    for image, mask in zip(splits.train.images, splits.train.masks):
        assert image.stem == mask.stem and mask.parent.name == "masks"


def test_voc_layout_is_read_as_it_is_with_its_lists_and_ignore_border(tmp_path):
    root = write_voc(tmp_path / "VOC2012", count=6)
    splits = find_pairs(root, 0.2, 0)
    assert splits.classes[0] == "background" and len(splits.classes) == 21
    assert [p.stem for p in splits.val.images] == ["2007_000004", "2007_000005"]
    assert splits.train.images[0].suffix == ".jpg"
    ids = read_mask(splits.train.masks[0], len(splits.classes))
    assert (ids[0] == IGNORE).all() and set(np.unique(ids[1:])) <= {0, 1, 2}


def test_palette_mask_gives_its_indices_not_its_colours(tmp_path):
    root = write_folder(tmp_path / "set", count=3, palette=True)
    with Image.open(root / "masks" / "p0.png") as img:
        assert img.mode == "P"
    _, mask = pair(24, 0)
    assert (read_mask(root / "masks" / "p0.png", 3) == mask).all()


def test_classes_are_counted_from_the_masks_without_classes_txt(tmp_path):
    root = write_folder(tmp_path / "set", count=4, classes_txt=False)
    assert find_pairs(root, 0.25, 0).classes == ("0", "1", "2")


def test_streamed_voc_batches_keep_ignored_pixels(tmp_path):
    root = write_voc(tmp_path / "voc", count=6, size=24)
    settings = parse_data({"source": "folder", "path": str(root), "workers": 0}, (3, 24, 24))
    data = open_segmentation(settings, (3, 24, 24), CPU)
    x, y = next(iter(data.val_batches(8)))
    assert x.shape == (2, 3, 24, 24) and y.shape == (2, 24, 24) and y.dtype == torch.int64
    assert (y[:, 0] == IGNORE).all() and set(y[:, 1:].unique().tolist()) <= {0, 1, 2}
    xt, yt = next(iter(data.train_batches(4, torch.Generator().manual_seed(0))))
    assert xt.shape == (4, 3, 24, 24) and yt.shape == (4, 24, 24)
    data.close()


def test_streamed_pairs_resized_to_the_input_stay_aligned(tmp_path):
    root = write_folder(tmp_path / "set", count=6, size=24)
    settings = parse_data({"source": "folder", "path": str(root), "workers": 0}, (3, 48, 48))
    data = open_segmentation(settings, (3, 48, 48), CPU)
    x, y = next(iter(data.val_batches(8)))
    red = ((x * data.std + data.mean) * 255)[:, 0]
    exact = (red - y.float() * 80).abs() < 1.0
    assert exact.float().mean() > 0.85  # bilinear blends only at the block edges


def test_cached_folder_is_held_in_memory(tmp_path):
    root = write_folder(tmp_path / "set", count=8)
    settings = parse_data({"source": "folder", "path": str(root), "cache": True}, (3, 16, 16))
    data = open_segmentation(settings, (3, 16, 16), CPU)
    assert data.train_size + data.val_size == 8 and data.val_x.shape[1:] == (3, 16, 16)


def test_demo_is_deterministic_and_holds_every_class():
    a, b = (
        generate_demo(20, seed=3, shape=(3, 48, 48)),
        generate_demo(20, seed=3, shape=(3, 48, 48)),
    )
    assert (a.images == b.images).all() and (a.masks == b.masks).all()
    assert a.classes == CLASSES and set(np.unique(a.masks)) == set(range(len(CLASSES)))
    assert not (generate_demo(20, seed=4, shape=(3, 48, 48)).images == a.images).all()


def test_joint_augmentation_keeps_a_mask_that_is_a_function_of_the_image():
    # every pixel's red value is 0.2·(class + 1): the mask can be read back from the image
    rng = np.random.default_rng(0)
    blocks = rng.integers(0, 4, (6, 8, 8))
    mask = torch.from_numpy(np.kron(blocks, np.ones((8, 8), dtype=np.int64)))
    x = torch.stack(
        [
            (mask + 1) * 0.2,
            torch.zeros_like(mask, dtype=torch.float64),
            torch.ones_like(mask, dtype=torch.float64),
        ],
        1,
    ).float()
    aug = JointAugment(scale_min=0.3, shift=5, flip=True)
    xa, ya = aug(x, mask, torch.Generator().manual_seed(1))
    assert not torch.equal(ya, mask)  # something moved
    inside = ya != IGNORE
    read_back = (xa[:, 0] / 0.2 - 1).round().long()
    exact = inside & ((xa[:, 0] / 0.2 - 1) - read_back).abs().lt(1e-3)
    assert exact.float().mean() > 0.6  # away from block edges the image is unblended
    assert torch.equal(read_back[exact], ya[exact])
    # outside the image the mask is ignored and the image at most half-blended with its edge
    assert (~inside).any() and (xa[:, 2][~inside] <= 0.5 + 1e-4).all()


def test_joint_shift_and_flip_alone_move_whole_pixels():
    mask = torch.arange(16 * 16).view(1, 16, 16) % 7
    x = (mask.float() / 10).unsqueeze(1).repeat(1, 3, 1, 1)
    xa, ya = JointAugment(1.0, 3, True)(x, mask, torch.Generator().manual_seed(5))
    inside = ya != IGNORE
    assert torch.allclose(xa[:, 0][inside], ya[inside].float() / 10, atol=1e-5)


@pytest.mark.parametrize(
    ("breaks", "names", "says"),
    [
        ("missing", "p2.png", "has no mask"),
        ("size", "p1.png", "must have its image's size"),
        ("ids", "p0.png", "holds class id 4 but there are 3 classes"),
        ("rgb", "p3.png", "not a palette or greyscale PNG"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(tmp_path, breaks, names, says):
    root = write_folder(tmp_path / "set", count=5)
    if breaks == "missing":
        (root / "masks" / "p2.png").unlink()
    elif breaks == "size":
        Image.fromarray(np.zeros((20, 24), np.uint8)).save(root / "masks" / "p1.png")
    elif breaks == "ids":
        Image.fromarray(np.full((24, 24), 4, np.uint8)).save(root / "masks" / "p0.png")
    else:
        colours = np.zeros((24, 24, 3), np.uint8)
        colours[..., 0] = 200
        Image.fromarray(colours).save(root / "masks" / "p3.png")
    settings = parse_data(
        {"source": "folder", "path": str(root), "cache": True, "validation": 1}, (3, 24, 24)
    )
    with pytest.raises(MaskError) as exc:
        open_segmentation(settings, (3, 24, 24), CPU)
    text = _one_line(exc)
    assert names in text and says in text


def test_a_source_without_masks_is_refused_on_one_line():
    settings = parse_data({"source": "mnist"}, (1, 28, 28))
    with pytest.raises(Exception, match="holds no masks") as exc:
        open_segmentation(settings, (1, 28, 28), CPU)
    _one_line(exc)
