"""Decoded images kept in memory: asked for with `cache`, or taken for small images whose training
crop is fixed."""

import threading

import numpy as np
import pytest
import torch

from runtime.data.preprocess import parse_preprocess
from runtime.data import open_data, parse_data
from runtime.data import memory_cache
from runtime.data.device import DeviceData
from runtime.data.stream import StreamData
from runtime.data.transform import ImageTransform
from tests.runtime.image_files import class_folder

CPU = torch.device("cpu")
FIXED = {"train_crop": "center", "flip": True}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_CACHE", str(tmp_path / "cache"))


def _open(root, shape=(1, 16, 16), workers=0, **section):
    raw = {"source": "folder", "path": str(root), "workers": workers, "validation": 0.25}
    raw.update(section)
    return open_data(parse_data(raw, shape), shape, CPU)


def test_small_images_with_a_fixed_crop_are_cached_without_asking(tmp_path):
    root = class_folder(tmp_path / "imgs", {"a": 40, "b": 200}, 8)
    data = _open(root, preprocess=FIXED)
    assert isinstance(data, DeviceData)
    assert any("decoded once into memory for training" in n for n in data.notes)
    # the very pixels the loader workers would have made: the validation transform of each file
    stream = _open(root, preprocess={**FIXED, "jitter": 0.1})
    assert isinstance(stream, StreamData)
    t = ImageTransform(1, (16, 16), stream.preprocess, train=False)
    files = [stream.splits.val.load(i) for i in range(stream.val_size)]
    expected = np.stack([t(f) for f in files])
    assert np.array_equal(data.val_x.numpy(), expected)
    assert data.val_y.tolist() == stream.splits.val.labels.tolist()
    x, y = next(iter(data.train_batches(4, torch.Generator().manual_seed(0))))
    assert x.shape == (4, 1, 16, 16) and x.dtype == torch.float32 and len(y) == 4


@pytest.mark.parametrize(
    "preprocess",
    [
        {"train_crop": "random_resized"},
        {"train_crop": "center", "rotation": 10},
        {"train_crop": "center", "jitter": 0.2},
    ],
    ids=["random-resized", "rotation", "jitter"],
)
def test_random_preprocessing_keeps_streaming(tmp_path, preprocess):
    root = class_folder(tmp_path / "imgs", {"a": 40, "b": 200}, 4)
    assert isinstance(_open(root, preprocess=preprocess), StreamData)


def test_large_inputs_and_sets_over_the_budget_keep_streaming(tmp_path, monkeypatch):
    root = class_folder(tmp_path / "imgs", {"a": 40, "b": 200}, 4)
    assert isinstance(_open(root, (3, 72, 72), preprocess=FIXED), StreamData)
    monkeypatch.setattr(memory_cache, "AUTOMATIC_BYTES", 1000)
    assert isinstance(_open(root, preprocess=FIXED), StreamData)


def test_asked_for_cache_says_which_augmentation_it_turns_off(tmp_path):
    root = class_folder(tmp_path / "imgs", {"a": 40, "b": 200}, 4)
    data = _open(root, cache=True, preprocess={"train_crop": "random_resized", "rotation": 5})
    assert isinstance(data, DeviceData)
    note = next(n for n in data.notes if "cached in memory" in n)
    assert "random-resized crops, rotation are off while cached" in note
    plain = _open(root, cache=True, preprocess=FIXED)
    assert not any("are off while cached" in n for n in plain.notes)


def test_caching_with_workers_beside_a_running_thread_starts_them_by_forkserver(
    tmp_path, monkeypatch
):
    root = class_folder(tmp_path / "imgs", {"a": 40, "b": 200}, 4)
    contexts = []
    loader = torch.utils.data.DataLoader

    def recording(*args, **kwargs):
        contexts.append(kwargs.get("multiprocessing_context"))
        return loader(*args, **kwargs)

    monkeypatch.setattr(torch.utils.data, "DataLoader", recording)
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()  # like the window's threads: forking now could deadlock a worker
    try:
        data = _open(root, workers=1, preprocess=FIXED)
    finally:
        stop.set()
        waiting.join()
    assert isinstance(data, DeviceData) and data.train_size + data.val_size == 8
    assert [c.get_start_method() for c in contexts] == ["forkserver"]


def test_the_data_panel_sample_says_small_images_will_be_cached(tmp_path):
    from runtime.data.sample import draw_sample

    root = class_folder(tmp_path / "imgs", {"a": 40, "b": 200}, 4)
    section = {"source": "folder", "path": str(root), "workers": 0, "preprocess": FIXED}
    fixed = draw_sample(parse_data(section, (1, 16, 16)), (1, 16, 16), 4)
    assert any("decoded once into memory for training" in n for n in fixed.notes)
    section["preprocess"] = {"train_crop": "random_resized"}
    streamed = draw_sample(parse_data(section, (1, 16, 16)), (1, 16, 16), 4)
    assert not any("into memory" in n for n in streamed.notes)


def test_default_crop_caches_small_inputs_and_keeps_random_crops_for_large_ones(tmp_path):
    """train_crop 'auto': digit-sized inputs take the centre crop (so they are cached), inputs of
    96 pixels a side or more keep random-resized crops."""
    root = class_folder(tmp_path / "imgs", {"a": 40, "b": 200}, 4)
    assert isinstance(_open(root, preprocess={}), DeviceData)
    default = parse_preprocess({})
    assert default.train_crop == "auto"
    assert default.crop_for((28, 28)) == "center" and default.crop_for((95, 400)) == "center"
    assert default.crop_for((96, 96)) == "random_resized"
    assert default.crop_for((224, 224)) == "random_resized"
    assert parse_preprocess({"train_crop": "random_resized"}).crop_for((28, 28)) == "random_resized"
    assert parse_preprocess({"train_crop": "center"}).crop_for((224, 224)) == "center"
