"""One image's preprocessing: the crop box chosen from the header before decoding, reduced-scale
JPEG decoding, the resize, flips and rotation."""

import random

import numpy as np
import pytest
import torch
from PIL import Image

from runtime.data import DataError, open_data, parse_data
from runtime.data import transform as transform_module
from runtime.data.decode import decode_pixels
from runtime.data.preprocess import Preprocess
from runtime.data.transform import ImageTransform


def _photo(path, size, seed=0):
    """A smooth picture with a disc, saved in the format of `path`'s suffix."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([255 * xx / w, 255 * yy / h, 255 * (1 - xx / w)], -1)
    rng = np.random.default_rng(seed)
    cy, cx = rng.random() * h, rng.random() * w
    img[(yy - cy) ** 2 + (xx - cx) ** 2 < (min(w, h) / 4) ** 2] = (200, 40, 90)
    Image.fromarray(img.astype(np.uint8)).save(path, quality=95)
    return path


def _recording(monkeypatch):
    """Record every box chosen (ImageTransform.box) and every box resized (_crop_resized)."""
    chosen, used = [], []
    box, crop = ImageTransform.box, transform_module._crop_resized

    def record_box(self, w, h, rng):
        chosen.append(box(self, w, h, rng))
        return chosen[-1]

    def record_crop(pixels, stored, the_box, size):
        used.append((pixels.shape[:2], stored, the_box))
        return crop(pixels, stored, the_box, size)

    monkeypatch.setattr(ImageTransform, "box", record_box)
    monkeypatch.setattr(transform_module, "_crop_resized", record_crop)
    return chosen, used


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_resize_matches_pillow_bilinear_on_the_same_crop(tmp_path, mode):
    path = _photo(tmp_path / "a.png", (500, 375))
    t = ImageTransform(1 if mode == "L" else 3, (64, 48), Preprocess(), train=True, draft=False)
    box = t.box(500, 375, random.Random(3))
    out = t(path, random.Random(3))
    expected = np.asarray(
        Image.open(path).convert(mode).crop(box).resize((48, 64), Image.Resampling.BILINEAR)
    )
    expected = expected[None] if mode == "L" else expected.transpose(2, 0, 1)
    flipped = expected[..., ::-1]
    assert out.shape == expected.shape and out.dtype == np.uint8 and out.flags.c_contiguous
    diff = min(np.abs(out.astype(int) - e).max() for e in (expected, flipped))
    assert diff <= 3


def test_boxes_are_whole_pixels_inside_the_image():
    t = ImageTransform(3, (224, 224), Preprocess(scale_min=0.01), train=True)
    for seed in range(200):
        x0, y0, x1, y1 = t.box(333, 101, random.Random(seed))
        assert all(isinstance(v, int) for v in (x0, y0, x1, y1))
        assert 0 <= x0 < x1 <= 333 and 0 <= y0 < y1 <= 101
    assert ImageTransform(3, (24, 24), Preprocess(), train=False).box(24, 24, None) == (
        0,
        0,
        24,
        24,
    )


def test_large_jpeg_decodes_reduced_with_the_box_chosen_before_decoding(tmp_path, monkeypatch):
    path = _photo(tmp_path / "big.jpg", (1600, 1200))
    chosen, used = _recording(monkeypatch)
    drafted = ImageTransform(3, (64, 64), Preprocess(), train=False)
    full = ImageTransform(3, (64, 64), Preprocess(), train=False, draft=False)
    small, large = drafted(path), full(path)
    (shape_small, stored, box_small), (shape_large, _, box_large) = used
    assert stored == (1600, 1200) and shape_large == (1200, 1600)
    assert max(shape_small) <= 1600 // 2  # decoded at 1/2, 1/4 or 1/8 ...
    assert min(shape_small) * 8 >= 1200  # ... and no further
    assert chosen == [box_small, box_large]  # the box chosen from the header is the one cut
    assert np.abs(small.astype(int) - large.astype(int)).mean() < 4


def test_random_crop_decoded_reduced_keeps_shape_and_box(tmp_path, monkeypatch):
    path = _photo(tmp_path / "big.jpg", (2000, 1500), seed=1)
    chosen, used = _recording(monkeypatch)
    t = ImageTransform(3, (32, 32), Preprocess(scale_min=0.5, flip=False), train=True)
    for seed in range(5):
        out = t(path, random.Random(seed))
        assert out.shape == (3, 32, 32)
        assert used[-1][2] == chosen[-1] == t.box(2000, 1500, random.Random(seed))
        assert used[-1][0][1] < 2000  # every such crop is at least twice the input: reduced


@pytest.mark.parametrize("fast", [False, True])
def test_decode_pixels_gives_a_writable_array_in_the_mode(tmp_path, fast):
    path = _photo(tmp_path / "a.jpg", (40, 30))
    rgb, size = decode_pixels(path, "RGB", fast=fast)
    grey, _ = decode_pixels(path, "L", fast=fast)
    assert size == (40, 30) and rgb.shape == (30, 40, 3) and grey.shape == (30, 40)
    assert rgb.flags.writeable and grey.flags.writeable and grey.flags.c_contiguous


def test_flip_mirrors_the_same_crop_and_rotation_keeps_the_shape(tmp_path):
    path = _photo(tmp_path / "a.png", (120, 90))
    plain = ImageTransform(3, (40, 40), Preprocess(flip=False), train=True)
    flips = ImageTransform(3, (40, 40), Preprocess(flip=True), train=True)
    mirrored = 0
    for seed in range(8):
        a, b = plain(path, random.Random(seed)), flips(path, random.Random(seed))
        assert np.array_equal(a, b) or np.array_equal(a[..., ::-1], b)
        mirrored += not np.array_equal(a, b)
    assert 0 < mirrored < 8
    rotated = ImageTransform(1, (40, 40), Preprocess(rotation=30), train=True)
    out = rotated(path, random.Random(0))
    assert out.shape == (1, 40, 40) and out.dtype == np.uint8


def test_an_already_decoded_image_is_accepted(tmp_path):
    img = Image.open(_photo(tmp_path / "a.png", (50, 40))).convert("RGBA")
    out = ImageTransform(3, (16, 16), Preprocess(), train=False)(img)
    assert out.shape == (3, 16, 16)


def test_fast_decode_reduces_crops_the_exact_rule_keeps_whole(tmp_path, monkeypatch):
    path = _photo(tmp_path / "photo.jpg", (500, 375))
    chosen, used = _recording(monkeypatch)
    exact = ImageTransform(3, (224, 224), Preprocess(), train=False)
    fast = ImageTransform(3, (224, 224), Preprocess(fast_decode=True), train=False)
    sharp, soft = exact(path), fast(path)
    (full_shape, _, exact_box), (reduced_shape, stored, fast_box) = used
    assert stored == (500, 375) and full_shape == (375, 500) and reduced_shape == (188, 250)
    assert chosen == [exact_box, fast_box] and exact_box == fast_box  # the same crop, cut smaller
    assert soft.shape == sharp.shape == (3, 224, 224)
    assert np.abs(soft.astype(int) - sharp.astype(int)).mean() < 4


def test_fast_decode_keeps_labels_order_and_shapes(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_CACHE", str(tmp_path / "cache"))
    for c, name in enumerate(("cat", "dog")):
        (tmp_path / "imgs" / name).mkdir(parents=True)
        for i in range(6):
            _photo(tmp_path / "imgs" / name / f"{i}.jpg", (640 + 40 * i, 480), seed=10 * c + i)
    shape, batches = (3, 96, 96), {}
    for fast in (False, True):
        section = {"source": "folder", "path": str(tmp_path / "imgs"), "workers": 0}
        section["preprocess"] = {"fast_decode": fast}
        data = open_data(parse_data(section, shape), shape, torch.device("cpu"))
        batches[fast] = list(data.train_batches(4, torch.Generator().manual_seed(0)))
    assert len(batches[False]) == len(batches[True]) > 0
    for (xa, ya), (xb, yb) in zip(batches[False], batches[True]):
        assert xa.shape == xb.shape == (4, *shape) and torch.equal(ya, yb)


def test_fast_decode_must_be_true_or_false():
    with pytest.raises(DataError, match="fast_decode"):
        parse_data({"source": "folder", "path": "x", "preprocess": {"fast_decode": 1}}, (3, 8, 8))
