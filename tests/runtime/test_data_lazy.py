"""Lazy sources: folders of any size/format, train/val layouts, CSV files, bad files, order,
caches."""

import json

import numpy as np
import pytest
import torch

from runtime.data import DataError, open_data, parse_data
from runtime.data.decode import BadImage, open_image
from runtime.data.index import read_label_file, scan_folder
from runtime.data.lazy import EpochOrder
from runtime.data.memory_cache import cache_fits
from runtime.data.spec import apply_spec, section_from_spec
from runtime.data.stream import StreamData
from tests.runtime.image_files import class_folder, damaged_files, huge_png, write_image

CPU = torch.device("cpu")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_CACHE", str(tmp_path / "cache"))


STREAMED = {"train_crop": "random_resized"}
"""Random crops: small images stream rather than being decoded once into memory."""


def _open(section, shape=(3, 24, 24), workers=0, **kw):
    settings = parse_data({"workers": workers, **section}, shape)
    return open_data(settings, shape, CPU, **kw)


def _epoch(data, batch=8, epoch=0, skip=0):
    gen = torch.Generator().manual_seed(0)
    return [(x, y) for x, y in data.train_batches(batch, gen, epoch, skip)]


def test_folder_of_mixed_sizes_modes_and_formats_trains_at_input_size(tmp_path):
    root = class_folder(tmp_path / "pets", {"cat": 40, "dog": 200}, per_class=10, nested=True)
    data = _open(
        {"source": "folder", "path": str(root), "preprocess": {"jitter": 0.2, "rotation": 10}}
    )
    assert isinstance(data, StreamData) and data.classes == ("cat", "dog")
    assert data.train_size + data.val_size == 20 and data.val_size == 4
    batches = _epoch(data, batch=4)
    assert len(batches) == 4 and all(
        x.shape == (4, 3, 24, 24) and x.dtype == torch.float32 for x, _ in batches
    )
    val = list(data.val_batches())
    # standardised with the training sample's statistics: the classes' grey levels stay apart
    xs, ys = torch.cat([x for x, _ in val]), torch.cat([y for _, y in val])
    assert xs[ys == 0].mean() < xs[ys == 1].mean()
    assert any("resized to 24×24" in n for n in data.notes)
    assert data.first_val_image().shape == (3, 24, 24) and data.first_val_image().dtype == np.uint8


def test_greyscale_network_converts_and_says_so(tmp_path):
    root = class_folder(tmp_path / "d", {"a": 30, "b": 220}, per_class=6)
    data = _open({"source": "folder", "path": str(root)}, shape=(1, 16, 16))
    x, _ = _epoch(data, batch=4)[0]
    assert x.shape == (4, 1, 16, 16)
    assert "the network expects 1 channel; images are converted to greyscale" in data.notes


def test_train_and_val_subfolders_replace_the_random_split(tmp_path):
    class_folder(tmp_path / "set" / "train", {"ant": 50, "bee": 150, "fly": 250}, per_class=6)
    class_folder(tmp_path / "set" / "val", {"ant": 50, "bee": 150}, per_class=2)
    layout = scan_folder(tmp_path / "set")
    assert layout.train.classes == layout.val.classes == ("ant", "bee", "fly")
    assert len(layout.train) == 18 and len(layout.val) == 4
    data = _open({"source": "folder", "path": str(tmp_path / "set"), "validation": 0.5})
    assert (data.train_size, data.val_size) == (18, 4)


def test_index_is_cached_until_a_file_is_added(tmp_path, monkeypatch):
    root = class_folder(tmp_path / "c", {"x": 10, "y": 240}, per_class=4)
    assert len(scan_folder(root).train) == 8
    calls = []
    import runtime.data.index as index

    real = index._walk
    monkeypatch.setattr(index, "_walk", lambda *a: calls.append(1) or real(*a))
    assert len(scan_folder(root).train) == 8 and not calls  # from the cache
    write_image(root / "x" / "new.png", (9, 9), 10)
    assert len(scan_folder(root).train) == 9 and calls == [1]


def test_csv_and_tsv_label_files_with_relative_paths(tmp_path):
    class_folder(tmp_path / "img", {"p": 20, "q": 230}, per_class=5)
    rows = [f"img/{c}/{c}_{i}.{'png jpg bmp webp tiff'.split()[i]}" for c in "pq" for i in range(5)]
    (tmp_path / "labels.csv").write_text(
        "file,species\n" + "\n".join(f"{r},{r[4]}" for r in rows) + "\n"
    )
    index = read_label_file(tmp_path / "labels.csv")
    assert index.classes == ("p", "q") and len(index) == 10 and index.path(0).is_file()
    (tmp_path / "labels.tsv").write_text(
        "label\tpath\n" + "\n".join(f"{i % 2}\t{r}" for i, r in enumerate(rows))
    )
    assert read_label_file(tmp_path / "labels.tsv").classes == ("0", "1")
    data = _open({"source": "csv", "path": str(tmp_path / "labels.csv")})
    assert data.train_size == 8 and len(_epoch(data, batch=4)) == 2
    with pytest.raises(DataError, match="has no column 'kind'"):
        read_label_file(tmp_path / "labels.csv", label_column="kind")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="bad.csv: has no path column"):
        read_label_file(tmp_path / "bad.csv")


@pytest.mark.parametrize("name", ["corrupt.png", "truncated.jpg", "empty.png", "huge.png"])
def test_damaged_files_give_one_line_naming_the_file(tmp_path, name):
    path = {p.name: p for p in damaged_files(tmp_path)}[name]
    with pytest.raises(BadImage) as caught:
        open_image(path, "RGB")
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    if name == "huge.png":
        assert "decompression bomb" in message and "200000000 pixels" in message


def test_bad_files_are_skipped_counted_and_reported(tmp_path):
    root = class_folder(tmp_path / "d", {"a": 30, "b": 220}, per_class=250)
    damaged_files(tmp_path / "d" / "a")  # 4 of 504 files: under 1 %
    data = _open({"source": "folder", "path": str(root)})
    seen = sum(len(y) for _, y in _epoch(data, batch=1)) + sum(
        len(y) for _, y in data.val_batches()
    )
    assert seen == 500
    (warning,) = data.drain_warnings()
    assert warning.startswith("skipped 4 unreadable files:") and "empty.png" in warning
    assert data.drain_warnings() == []


def test_more_than_one_percent_bad_stops_with_a_message(tmp_path):
    root = class_folder(tmp_path / "d", {"a": 30, "b": 220}, per_class=20)
    damaged_files(tmp_path / "d" / "b")
    data = _open({"source": "folder", "path": str(root), "preprocess": STREAMED})
    with pytest.raises(
        DataError, match=r"of 44 files cannot be read \(more than 1%\); first: .*d/b/"
    ):
        _epoch(data, batch=4)
        list(data.val_batches())


def test_epoch_order_depends_on_seed_and_epoch_and_resumes_mid_epoch():
    order = EpochOrder(100, 10, seed=5)
    order.training(8, epoch=2)
    full = list(order)
    assert len(full) == 12 == len(order)
    order.training(8, epoch=2, skip=5)
    assert list(order) == full[5:]
    order.training(8, epoch=3)
    assert list(order) != full
    again = EpochOrder(100, 10, seed=5)
    again.training(8, epoch=2)
    assert list(again) == full
    order.validation(4)
    assert [len(b) for b in order] == [4, 4, 2]


def test_resumed_epoch_gives_the_same_pixels_with_workers(tmp_path):
    root = class_folder(tmp_path / "d", {"a": 30, "b": 220}, per_class=12)
    data = _open({"source": "folder", "path": str(root), "preprocess": STREAMED}, workers=2)
    try:
        full = _epoch(data, batch=4, epoch=1)
        tail = _epoch(data, batch=4, epoch=1, skip=2)
    finally:
        data.close()
    assert len(tail) == len(full) - 2
    for (x, y), (x2, y2) in zip(full[2:], tail):
        assert torch.equal(y, y2) and torch.equal(x, x2)


def test_cache_in_memory_serves_the_batched_path(tmp_path):
    root = class_folder(tmp_path / "d", {"a": 30, "b": 220}, per_class=10)
    data = _open({"source": "folder", "path": str(root), "cache": True})
    assert data.train_x.shape == (16, 3, 24, 24) and data.val_x.dtype == torch.uint8
    assert any("cached in memory" in n for n in data.notes)
    fits, words = cache_fits(10**13, (3, 224, 224))
    assert not fits and "MB for" in words


def test_bad_settings_name_the_key(tmp_path):
    with pytest.raises(DataError, match="preprocess 'jitter' must be a number 0–1"):
        parse_data({"source": "folder", "path": "x", "preprocess": {"jitter": 3}}, (3, 8, 8))
    with pytest.raises(DataError, match="preprocess 'crop' is not a setting"):
        parse_data({"source": "folder", "path": "x", "preprocess": {"crop": 1}}, (3, 8, 8))
    with pytest.raises(DataError, match="'split_seed' must be a whole number"):
        parse_data({"split_seed": -1}, (3, 8, 8))
    with pytest.raises(DataError, match="does not exist"):
        _open({"source": "folder", "path": str(tmp_path / "nowhere")})


def test_spec_strings(tmp_path):
    class_folder(tmp_path / "f", {"a": 1, "b": 2}, per_class=1)
    (tmp_path / "l.csv").write_text("path,label\n")
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "dataset_info.json").write_text("{}")
    assert section_from_spec(str(tmp_path / "f")) == {
        "source": "folder",
        "path": str(tmp_path / "f"),
    }
    assert section_from_spec(str(tmp_path / "l.csv"))["source"] == "csv"
    assert section_from_spec(str(tmp_path / "saved"))["source"] == "hf"
    assert section_from_spec("hf:ylecun/mnist") == {"source": "hf", "dataset": "ylecun/mnist"}
    assert section_from_spec("shards/train-{000..009}.tar")["source"] == "webdataset"
    with pytest.raises(DataError, match="does not exist"):
        section_from_spec(str(tmp_path / "missing"))
    kept = apply_spec({"source": "mnist", "validation": 0.1, "preprocess": {"flip": False}}, "hf:x")
    assert kept == {
        "validation": 0.1,
        "preprocess": {"flip": False},
        "source": "hf",
        "dataset": "x",
    }


def test_huge_png_helper_declares_its_size(tmp_path):
    from PIL import Image

    with Image.open(huge_png(tmp_path / "h.png", 300, 200)) as img:
        assert img.size == (300, 200)


def test_inventory_json(tmp_path, capsys):
    from runtime.cli import main

    root = class_folder(tmp_path / "d", {"a": 30, "b": 220}, per_class=6)
    damaged_files(root / "a")
    assert main(["data", str(root), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in report["classes"]] == ["a", "b"] and report["images"] == 16
    assert len(report["corrupt"]) == 4 and report["sizes"]["min"] == [16, 12]
    assert main(["data", str(root)]) == 0
    assert "corrupt files: 4" in capsys.readouterr().out


def _unusual(name):
    from PIL import Image

    return {
        "i16.png": Image.fromarray(np.full((9, 7), 40000, np.uint16)),
        "f.tiff": Image.fromarray(np.full((9, 7), 0.5, np.float32)),
        "clear.png": Image.new("RGBA", (7, 9), (0, 0, 0, 0)),
        "palette.png": Image.new("P", (7, 9), 0),
    }[name]


@pytest.mark.parametrize(
    "name, grey", [("i16.png", 156), ("f.tiff", 128), ("clear.png", 255), ("palette.png", 0)]
)
def test_unusual_modes_decode_to_sensible_bytes(tmp_path, name, grey):
    _unusual(name).save(tmp_path / name)
    img, size = open_image(tmp_path / name, "L")
    assert size == (7, 9) and abs(int(np.asarray(img).mean()) - grey) <= 2


def test_train_command_with_data_spec(tmp_path, capsys):
    from runtime.cli import main
    from tests.runtime.training_helpers import tiny_project

    root = class_folder(tmp_path / "d", {"a": 30, "b": 220}, per_class=12)
    project = tiny_project(epochs=1)
    project.graph.set_params(project.graph.by_name("head").id, {"num_classes": 2})
    project.save(tmp_path / "p.json")
    code = main(
        ["train", str(tmp_path / "p.json"), "--data", str(root), "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["status"] == "completed" and "19 training and 5 validation samples" in err
    assert "images are resized to 8×8" in err and "converted to greyscale" in err
