"""Data sets: bundled files, generated shapes, IDX, CIFAR-10 .bin and image folders, split and
statistics."""

import gzip
import struct

import numpy as np
import pytest

from runtime.data import (
    DataError,
    check_fits,
    default_data,
    load_images,
    parse_data,
    preview_grid,
    split,
)
from runtime.data.bundled import load_digits_8x8, load_mnist_5k
from runtime.data.cifar import load_cifar10
from runtime.data.index import scan_folder
from runtime.data.idx import load_idx
from runtime.data.shapes import generate_shapes
from runtime.data.split import channel_stats


def test_bundled_sets_have_expected_sizes():
    mnist, digits = load_mnist_5k(), load_digits_8x8()
    assert (
        mnist.images.shape == (5000, 1, 28, 28) and np.bincount(mnist.labels).tolist() == [500] * 10
    )
    assert digits.images.shape == (1797, 1, 8, 8) and digits.images.max() == 255


def test_shapes_are_deterministic_balanced_and_coloured():
    a, b, c = (
        generate_shapes(200, seed=1),
        generate_shapes(200, seed=1),
        generate_shapes(200, seed=2),
    )
    assert np.array_equal(a.images, b.images) and not np.array_equal(a.images, c.images)
    assert a.images.shape == (200, 3, 32, 32) and np.bincount(a.labels).tolist() == [20] * 10
    warm = a.images[a.labels < 5].astype(float)
    cool = a.images[a.labels >= 5].astype(float)
    assert warm[:, 0].mean() > cool[:, 0].mean() and cool[:, 2].mean() > warm[:, 2].mean()


def test_split_is_seeded_disjoint_and_stats_come_from_training_split():
    data = load_digits_8x8()
    train, val = split(data, 0.25, seed=3)
    train2, val2 = split(data, 0.25, seed=3)
    assert len(val) == round(len(data) * 0.25) and len(train) + len(val) == len(data)
    assert np.array_equal(val.labels, val2.labels) and np.array_equal(train.images, train2.images)
    _, val_other = split(data, 0.25, seed=4)
    assert not np.array_equal(val.images, val_other.images)
    mean, std = channel_stats(train)
    assert mean[0] == pytest.approx(train.images.mean() / 255, rel=1e-5)
    with pytest.raises(DataError, match="cannot hold out"):
        split(data, 5000, seed=0)


@pytest.mark.parametrize(
    "shape, source", [((1, 28, 28), "mnist"), ((1, 8, 8), "digits"), ((3, 32, 32), "shapes")]
)
def test_default_data_follows_input_size(shape, source):
    assert default_data(shape)["source"] == source
    assert parse_data({}, shape).source == source


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"source": "imagenet"}, "data source 'imagenet' is unknown"),
        ({"source": "folder"}, "'path' must name a file or folder"),
        ({"validation": -1}, "'validation' must be a fraction"),
        ({"augment": {"crop_padding": -2}}, "'crop_padding' must be a whole number"),
        ({"augment": {"pca_jitter": "a"}}, "'pca_jitter' must be a number"),
    ],
)
def test_bad_data_settings(raw, message):
    with pytest.raises(DataError, match=message):
        parse_data(raw, (1, 28, 28))


def test_check_fits_names_both_sizes():
    with pytest.raises(DataError, match="1×8×8 images but the network's input is 1×28×28"):
        check_fits(load_digits_8x8(), (1, 28, 28))


def _idx(path, array, compress=False):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip(tmp_path, compress):
    images = np.random.default_rng(0).integers(0, 256, (12, 5, 6), dtype=np.uint8)
    labels = np.arange(12) % 3
    data = load_idx(
        _idx(tmp_path / "img.idx", images, compress), _idx(tmp_path / "lab.idx", labels, compress)
    )
    assert data.images.shape == (12, 1, 5, 6) and np.array_equal(data.images[:, 0], images)
    assert data.classes == ("0", "1", "2") and data.labels.tolist() == labels.tolist()


def test_idx_bad_files_name_the_file(tmp_path):
    images = _idx(tmp_path / "img.idx", np.zeros((4, 3, 3)))
    labels = _idx(tmp_path / "lab.idx", np.zeros(5))
    with pytest.raises(DataError, match="lab.idx: has 5 labels but img.idx has 4 images"):
        load_idx(images, labels)
    (tmp_path / "junk.idx").write_bytes(b"\x12\x34\x08\x01abc")
    with pytest.raises(DataError, match="junk.idx: is not an IDX file"):
        load_idx(tmp_path / "junk.idx", labels)
    (tmp_path / "short.idx").write_bytes(
        _idx(tmp_path / "x", np.zeros((4, 3, 3))).read_bytes()[:-5]
    )
    with pytest.raises(
        DataError, match="short.idx: header says 4×3×3 = 36 values but the file holds 31"
    ):
        load_idx(tmp_path / "short.idx", labels)


def test_cifar_bin_batches(tmp_path):
    rng = np.random.default_rng(0)
    records = np.concatenate([np.arange(6)[:, None] % 10, rng.integers(0, 256, (6, 3072))], axis=1)
    (tmp_path / "data_batch_1.bin").write_bytes(records.astype(np.uint8).tobytes())
    data = load_cifar10(tmp_path)
    assert data.images.shape == (6, 3, 32, 32) and data.classes[0] == "airplane"
    assert np.array_equal(data.images[2].reshape(-1), records[2, 1:])
    (tmp_path / "data_batch_2.bin").write_bytes(b"\x00" * 100)
    with pytest.raises(
        DataError, match="data_batch_2.bin: is 100 bytes, not a whole number of 3073-byte"
    ):
        load_cifar10(tmp_path)


def _png(path, size=(6, 5), colour=(200, 10, 10)):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)


def test_image_folder_indexes_classes_in_order(tmp_path):
    for name, colour in (("cat", (200, 0, 0)), ("dog", (0, 0, 200))):
        for i in range(3):
            _png(tmp_path / name / f"{i}.png", colour=colour)
    index = scan_folder(tmp_path).train
    assert index.classes == ("cat", "dog") and index.labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert index.path(0) == tmp_path / "cat" / "0.png"


def test_bad_folders_name_the_culprit(tmp_path):
    with pytest.raises(DataError, match="holds no class sub-folders"):
        scan_folder(tmp_path)
    _png(tmp_path / "a" / "1.png")
    with pytest.raises(DataError, match="holds only one class \\('a'\\)"):
        scan_folder(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        scan_folder(tmp_path / "nowhere")


def test_load_images_through_settings_and_preview(tmp_path):
    settings = parse_data({"source": "digits"}, (1, 8, 8))
    data = load_images(settings, 1)
    grid = preview_grid(data, count=16, columns=4, gap=2)
    assert grid.image.shape == (4 * 10 - 2, 4 * 10 - 2) and len(grid.labels) == 16
    assert set(grid.labels) <= set(data.classes)
    grid = preview_grid(data, count=32, columns=8)
    assert set(grid.labels) == set(
        data.classes
    )  # every class shown, not what a random draw happens to hit
    assert (
        list(grid.labels) == sorted(grid.labels, key=data.classes.index) and len(grid.labels) == 32
    )
