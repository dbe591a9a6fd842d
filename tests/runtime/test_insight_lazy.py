"""Insight views on a data set read file by file: they draw the validation images they need."""

import json

import numpy as np
import pytest
import torch

from runtime.cli import main
from runtime.compile import build_model
from runtime.data import DataError, open_data, parse_data
from runtime.graph import Graph
from runtime.insight.session import open_session
from runtime.project import Project
from runtime.training.checkpoint import save_checkpoint
from tests.runtime.image_files import class_folder


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_CACHE", str(tmp_path / "cache"))


def _folder_project(tmp_path, data_path) -> Project:
    g = Graph()
    nodes = [
        g.add_node("input", name="image"),
        g.add_node("conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}, name="conv1"),
        g.add_node("relu", name="relu1"),
        g.add_node("output", {"num_classes": 2}, name="head"),
    ]
    for a, b in zip(nodes, nodes[1:]):
        g.connect(a.id, b.id)
    data = {
        "source": "folder",
        "path": str(data_path),
        "validation": 0.25,
        "workers": 0,
        "preprocess": {"train_crop": "random_resized"},  # streamed, as large images are
    }
    return Project(g, (3, 16, 16), "Folder net", data=data)


def test_a_session_on_a_folder_holds_its_validation_images(tmp_path):
    folder = class_folder(tmp_path / "photos", {"dark": 40, "light": 210}, 12)
    (folder / "dark" / "broken.png").write_bytes(b"not an image")
    project = _folder_project(tmp_path, folder)
    session = open_session(project)
    settings = parse_data(project.data, project.input_shape)
    stream = open_data(settings, project.input_shape, torch.device("cpu"))
    assert session.classes == ("dark", "light")
    assert session.val.images.shape[1:] == (3, 16, 16)
    val = stream.splits.val
    broken = sum("broken" in val.describe(i) for i in range(len(val)))
    assert len(session.val) == stream.val_size - broken
    pixels = stream.probe_batch(1)  # the stream's normalisation, from the same statistics
    mean = session.model.mean.view(-1)
    assert torch.allclose(mean, stream.mean.view(-1))
    first = session.pixels(session.val.images[:1])
    assert torch.allclose((first - session.model.mean) / session.model.std, pixels, atol=1e-5)
    assert set(np.unique(session.val.labels)) <= {0, 1}
    x, y = session.val_pixels(4)
    assert x.shape == (4, 3, 16, 16) and y.dtype == torch.int64


def test_ablate_runs_on_a_folder_project(tmp_path, capsys):
    folder = class_folder(tmp_path / "photos", {"dark": 40, "light": 210}, 8)
    project = _folder_project(tmp_path, folder)
    path = project.save(tmp_path / "net.json")
    checkpoint = save_checkpoint(
        tmp_path / "run", "last", build_model(project, 0), None, {"epoch": 1}
    )
    args = ["ablate", str(path), "--weights", str(checkpoint), "--format", "json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["samples"] == len(open_session(project).val)
    assert [r["layer"] for r in doc["layers"]] == ["conv1", "relu1"]


def test_a_folder_without_readable_validation_images_is_one_line(tmp_path):
    folder = tmp_path / "bad"
    for name in ("a", "b"):
        (folder / name).mkdir(parents=True)
        for i in range(4):
            (folder / name / f"{i}.png").write_bytes(b"junk")
    with pytest.raises(DataError, match="none of the validation images of bad can be read"):
        open_session(_folder_project(tmp_path, folder))
