"""`convstudio explain`, `ablate` and `attack` on a small project with a saved checkpoint."""

import json

import numpy as np
import pytest
from PIL import Image

from runtime.cli import main
from runtime.compile import build_model
from runtime.training.checkpoint import save_checkpoint
from tests.runtime.insight_helpers import needs_captum
from tests.runtime.training_helpers import tiny_project


@pytest.fixture()
def trained(tmp_path):
    """A project file and a checkpoint of its (seeded) weights."""
    project = tiny_project()
    path = project.save(tmp_path / "tiny.json")
    checkpoint = save_checkpoint(
        tmp_path / "run", "last", build_model(project, 0), None, {"epoch": 1}
    )
    return path, checkpoint


@needs_captum
@pytest.mark.parametrize("method", ["gradcam", "saliency", "ig", "occlusion", "guided_gradcam"])
def test_explain_writes_a_png_and_prints_the_top_classes(trained, tmp_path, capsys, method):
    path, checkpoint = trained
    picture = tmp_path / "seven.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 30, 3), dtype=np.uint8)).save(
        picture
    )
    out = tmp_path / "why.png"
    assert (
        main(
            [
                "explain",
                str(path),
                "--weights",
                str(checkpoint),
                "--image",
                str(picture),
                "--method",
                method,
                "--node",
                "conv1",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert len([line for line in lines if "(class " in line]) == 5
    with Image.open(out) as written:
        assert written.size[0] > 300


@needs_captum
def test_attack_prints_robust_accuracy(trained, capsys):
    path, checkpoint = trained
    assert (
        main(
            [
                "attack",
                str(path),
                "--weights",
                str(checkpoint.parent),
                "--eps",
                "0.05",
                "--method",
                "pgd",
                "--samples",
                "40",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "robust accuracy under PGD at ε = 0.05" in out and "40 validation images" in out


def test_ablate_json_lists_every_layer(trained, capsys):
    path, checkpoint = trained
    assert (
        main(
            [
                "ablate",
                str(path),
                "--weights",
                str(checkpoint),
                "--format",
                "json",
                "--samples",
                "100",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["samples"] == 100 and [r["layer"] for r in doc["layers"]] == ["conv1", "relu1"]
    assert doc["layers"][1]["bypass_accuracy"] is not None
    assert main(["ablate", str(path), "--weights", str(checkpoint)]) == 0
    assert "intact network" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["attack", "{p}", "--weights", "{c}", "--eps", "2"], "eps: must lie between 0 and 1"),
        (
            ["explain", "{p}", "--weights", "{c}", "--image", "{p}", "-o", "x.png"],
            "cannot be read as an image",
        ),
        (
            [
                "explain",
                "{p}",
                "--weights",
                "{c}",
                "--sample",
                "5",
                "--node",
                "head",
                "-o",
                "x.png",
            ],
            "'head' has no spatial",
        ),
        (
            ["explain", "{p}", "--weights", "{c}", "--sample", "99999", "-o", "x.png"],
            "--sample: the validation set",
        ),
        (["ablate", "{p}", "--weights", "nowhere.json"], "nowhere.json: checkpoint does not exist"),
    ],
)
def test_errors_are_one_line(trained, tmp_path, monkeypatch, capsys, args, message):
    path, checkpoint = trained
    monkeypatch.chdir(tmp_path)
    argv = [a.format(p=path, c=checkpoint) for a in args]
    if "explain" in argv or "attack" in argv:
        pytest.importorskip("captum")
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_without_captum_the_commands_say_how_to_install_it(trained, monkeypatch, capsys):
    path, checkpoint = trained
    monkeypatch.setattr("runtime.cli.insight_common.captum_available", lambda: False)
    assert main(["attack", str(path), "--weights", str(checkpoint), "--eps", "0.1"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "convstudio: error: Captum is not installed: pip install 'convstudio[insight]' "
        "to explain, attack and ablate"
    )
