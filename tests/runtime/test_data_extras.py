"""Hugging Face and WebDataset sources (optional extras; skipped with a reason when not
installed)."""

import io
import socket
import tarfile

import numpy as np
import pytest
import torch
from PIL import Image

from runtime.data import DataError, open_data, parse_data
from runtime.data.spec import section_from_spec
from tests.runtime.shard_server import serve

CPU = torch.device("cpu")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_CACHE", str(tmp_path / "cache"))


def _png_bytes(value: int, size=(20, 14), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full((size[1], size[0], 3), value, np.uint8)).save(out, fmt)
    return out.getvalue()


def _open(section, shape=(3, 16, 16)):
    return open_data(parse_data({"workers": 0, **section}, shape), shape, CPU)


def _hf_table(n=40, with_val=False):
    datasets = pytest.importorskip(
        "datasets", reason="the Hugging Face extra (convstudio[hf]) is not installed"
    )
    features = datasets.Features(
        {"picture": datasets.Image(), "kind": datasets.ClassLabel(names=["dark", "light"])}
    )
    rows = {
        "picture": [
            {"bytes": _png_bytes(30 if i % 2 == 0 else 220, (18 + i % 5, 15)), "path": None}
            for i in range(n)
        ],
        "kind": [i % 2 for i in range(n)],
    }
    table = datasets.Dataset.from_dict(rows, features=features)
    if with_val:
        return datasets.DatasetDict({"train": table, "validation": table.select(range(6))})
    return table


def test_hf_saved_dataset_guesses_columns_and_trains(tmp_path):
    _hf_table(with_val=True).save_to_disk(str(tmp_path / "saved"))
    assert section_from_spec(str(tmp_path / "saved")) == {
        "source": "hf",
        "path": str(tmp_path / "saved"),
    }
    data = _open({"source": "hf", "path": str(tmp_path / "saved")})
    assert data.classes == ("dark", "light") and (data.train_size, data.val_size) == (40, 6)
    x, y = next(iter(data.train_batches(8, torch.Generator(), 0)))
    assert x.shape == (8, 3, 16, 16)
    val_x = torch.cat([x for x, _ in data.val_batches()])
    val_y = torch.cat([y for _, y in data.val_batches()])
    assert val_x[val_y == 0].mean() < val_x[val_y == 1].mean()


def test_hf_parquet_file_with_random_split_and_named_columns(tmp_path):
    _hf_table().to_parquet(str(tmp_path / "d.parquet"))
    data = _open(
        {
            "source": "hf",
            "path": str(tmp_path / "d.parquet"),
            "image_column": "picture",
            "label_column": "kind",
            "validation": 0.25,
        }
    )
    assert (data.train_size, data.val_size) == (30, 10)
    with pytest.raises(DataError, match="has no column 'nope'"):
        _open({"source": "hf", "path": str(tmp_path / "d.parquet"), "label_column": "nope"})


def test_hf_imagefolder_builder(tmp_path):
    pytest.importorskip(
        "datasets", reason="the Hugging Face extra (convstudio[hf]) is not installed"
    )
    for c, v in (("a", 20), ("b", 230)):
        (tmp_path / "imgs" / c).mkdir(parents=True)
        for i in range(5):
            (tmp_path / "imgs" / c / f"{i}.png").write_bytes(_png_bytes(v))
    data = _open({"source": "hf", "path": str(tmp_path / "imgs")})
    assert data.classes == ("a", "b") and data.train_size + data.val_size == 10


def test_hf_bad_source_is_one_line(tmp_path):
    pytest.importorskip(
        "datasets", reason="the Hugging Face extra (convstudio[hf]) is not installed"
    )
    (tmp_path / "x.parquet").write_bytes(b"not parquet")
    with pytest.raises(DataError, match="x.parquet: cannot be opened as a Hugging Face data set"):
        _open({"source": "hf", "path": str(tmp_path / "x.parquet")})


def _shard(path, start, n, label_ext="cls"):
    with tarfile.open(path, "w") as tar:
        for i in range(start, start + n):
            for ext, payload in (
                ("jpg", _png_bytes(20 if i % 3 else 230, (24, 18), "JPEG")),
                (label_ext, str(0 if i % 3 else 1).encode()),
            ):
                info = tarfile.TarInfo(f"sample{i:05d}.{ext}")
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
    return path


def test_webdataset_local_shards_with_brace_pattern(tmp_path):
    pytest.importorskip(
        "webdataset", reason="the WebDataset extra (convstudio[webdataset]) is not installed"
    )
    for s in range(3):
        _shard(tmp_path / f"train-{s:03d}.tar", s * 10, 10)
    pattern = str(tmp_path / "train-{000..002}.tar")
    assert section_from_spec(pattern) == {"source": "webdataset", "shards": pattern}
    data = _open({"source": "webdataset", "shards": pattern, "validation": 0.2})
    assert data.classes == ("0", "1") and (data.train_size, data.val_size) == (24, 6)
    batches = list(data.train_batches(8, torch.Generator(), 0))
    assert len(batches) == 3 and batches[0][0].shape == (8, 3, 16, 16)
    _shard(tmp_path / "val.tar", 100, 6)
    data = _open(
        {"source": "webdataset", "shards": pattern, "val_shards": str(tmp_path / "val.tar")}
    )
    assert (data.train_size, data.val_size) == (30, 6)
    with pytest.raises(DataError, match="train-003.tar: does not exist"):
        _open({"source": "webdataset", "shards": str(tmp_path / "train-{000..003}.tar")})
    (tmp_path / "broken.tar").write_bytes(b"garbage" * 100)
    with pytest.raises(DataError, match="broken.tar: is not a readable tar shard"):
        _open({"source": "webdataset", "shards": str(tmp_path / "broken.tar")})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_webdataset_shards_from_http_urls(tmp_path):
    pytest.importorskip(
        "webdataset", reason="the WebDataset extra (convstudio[webdataset]) is not installed"
    )
    served = tmp_path / "served" / "pets"
    served.mkdir(parents=True)
    for s in range(3):
        _shard(served / f"train-{s:03d}.tar", s * 10, 10)
    _shard(served / "val.tar", 100, 6)
    local = _open({"source": "webdataset", "shards": str(served / "train-{000..002}.tar")})
    with serve(tmp_path / "served") as base:
        pattern = f"{base}/pets/train-{{000..002}}.tar"
        assert section_from_spec(pattern) == {"source": "webdataset", "shards": pattern}
        section = {"source": "webdataset", "shards": pattern, "validation": 0.2}
        data = _open(section)
        assert data.classes == ("0", "1") and (data.train_size, data.val_size) == (24, 6)
        assert data.name == "pets"
        remote = list(data.train_batches(8, torch.Generator(), 0))
        same = list(local.train_batches(8, torch.Generator(), 0))
        assert len(remote) == 3
        for (x, y), (lx, ly) in zip(remote, same):
            assert torch.equal(x, lx) and torch.equal(y, ly)
        again = _open(section)  # indexed from the cache (keyed by the server's Last-Modified)
        assert again.train_size == 24
        data = _open(
            {"source": "webdataset", "shards": pattern, "val_shards": f"{base}/pets/val.tar"}
        )
        assert (data.train_size, data.val_size) == (30, 6)
        with pytest.raises(DataError, match=r"train-003.tar: answered HTTP 404 \(File not found\)"):
            _open({"source": "webdataset", "shards": f"{base}/pets/train-{{000..003}}.tar"})
    refused = pytest.raises(DataError, match="does not answer byte-range requests")
    with serve(tmp_path / "served", ranges=False) as base, refused:
        _open({"source": "webdataset", "shards": f"{base}/pets/train-000.tar"})


def test_webdataset_unreachable_and_command_shards_are_one_line(tmp_path):
    pytest.importorskip(
        "webdataset", reason="the WebDataset extra (convstudio[webdataset]) is not installed"
    )
    url = f"http://127.0.0.1:{_free_port()}/train-{{0..1}}.tar"
    with pytest.raises(DataError) as caught:
        _open({"source": "webdataset", "shards": url})
    message = str(caught.value)
    assert message.startswith(url.replace("{0..1}", "0") + ": cannot be reached (")
    assert "\n" not in message
    marker = tmp_path / "ran"
    for command in (f"pipe:touch {marker}", f"pipe:curl -s http://x/a.tar > {marker}"):
        assert section_from_spec(command)["source"] == "webdataset"
        with pytest.raises(DataError, match="'pipe:' shards are not read .commands are never run"):
            _open({"source": "webdataset", "shards": command})
    with pytest.raises(DataError, match="'s3:' shards are not read: name local files or http"):
        _open({"source": "webdataset", "shards": "s3://bucket/train-{0..3}.tar"})
    assert not marker.exists()
