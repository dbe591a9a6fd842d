"""A trained export works when taken away: it loads weights, normalises raw pixels, predicts."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from runtime.cli import main
from runtime.codegen.errors import ExportError
from runtime.codegen.trained import export_trained_model
from runtime.data import load_images, parse_data, split
from runtime.preprocessing import Preprocessing, measure_preprocessing
from runtime.project import load_project
from runtime.training.checkpoint import CheckpointError
from tests.runtime.torch_only import run_torch_only
from tests.runtime.training_helpers import tiny_project

SCORE = """
import json, sys
import torch
sys.path.insert(0, {folder!r})
import tinynet
pixels, labels = torch.load({data!r}, weights_only=True)
model = tinynet.load_model()
raw = tinynet.predict(pixels[:, 0], model)                       # N×H×W uint8, as stored
floats = tinynet.predict(pixels.permute(0, 2, 3, 1) / 255.0)     # N×H×W×C floats 0-1, default model
print(json.dumps({{"accuracy": (raw == labels).float().mean().item(),
                  "same": bool((raw == floats).all()),
                  "numpy": "numpy" in sys.modules, "safetensors": "safetensors" in sys.modules}}))
"""


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One epoch of the tiny network on the bundled 8×8 digits, trained with `convstudio train`."""
    folder = tmp_path_factory.mktemp("trained")
    project = tiny_project(epochs=1)
    path = project.save(folder / "tiny.json")
    assert main(["train", str(path), "--out", str(folder / "run")]) == 0
    summary = json.loads((folder / "run" / "summary.json").read_text())
    return folder, load_project(path), summary


def _validation(project):
    """The raw validation pixels and labels, split exactly as training split them."""
    settings = parse_data(project.data, project.input_shape, project.path.parent)
    _, val = split(
        load_images(settings, project.input_shape[0]), settings.validation, settings.split_seed
    )
    return val


def test_torch_only_interpreter_scores_raw_pixels_as_the_app_did(trained, tmp_path):
    folder, project, summary = trained
    code = folder / "run" / "tinynet.py"
    assert summary["exported"]["code"] == str(code)
    assert (folder / "run" / "tinynet.safetensors").is_file() and (
        folder / "run" / "tinynet.pt"
    ).is_file()
    val = _validation(project)
    data = tmp_path / "val.pt"
    torch.save((torch.from_numpy(val.images), torch.from_numpy(val.labels)), data)
    result = run_torch_only(SCORE.format(folder=str(code.parent), data=str(data)), tmp_path)
    assert result.returncode == 0, result.stderr
    scored = json.loads(result.stdout.strip().splitlines()[-1])
    assert (
        not scored["numpy"] and not scored["safetensors"]
    )  # it really ran on torch alone (.pt weights)
    assert scored["same"]
    app = summary["best_val_accuracy"]
    assert app > 0.5
    assert abs(scored["accuracy"] - app) * 100 <= 0.5, (scored["accuracy"], app)


@pytest.fixture(scope="module")
def module(trained):
    folder, _, _ = trained
    import importlib.util

    spec = importlib.util.spec_from_file_location("tinynet_export", folder / "run" / "tinynet.py")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def test_every_documented_input_form_gives_the_same_answer(module, trained):
    val = _validation(trained[1])
    images = val.images[:12]  # N×1×8×8 uint8
    model = module.load_model()
    expected = module.predict(torch.from_numpy(images), model)
    assert expected.dtype == torch.long and expected.shape == (12,)
    assert torch.equal(module.predict(images[:, 0], model), expected)  # NumPy N×H×W
    assert torch.equal(module.predict(images.transpose(0, 2, 3, 1), model), expected)  # N×H×W×C
    assert torch.equal(
        module.predict(images.astype(np.float32) / 255, model), expected
    )  # 0-1 floats
    assert torch.equal(module.predict([Image.fromarray(i[0]) for i in images], model), expected)
    assert torch.equal(module.predict(list(images[:, 0]), model), expected)
    assert int(module.predict(images[0, 0], model)[0]) == int(expected[0])  # one H×W image
    probs = module.probabilities(images, model)
    assert probs.shape == (12, 10) and torch.allclose(probs.sum(1), torch.ones(12))
    assert torch.equal(probs.argmax(1), expected)
    assert module.INPUT_SHAPE == (1, 8, 8)
    assert tuple(str(i) for i in range(10)) == module.CLASS_NAMES


def test_preprocess_matches_training_normalisation(module, trained):
    val = _validation(trained[1])
    stats = Preprocessing.of((1, 8, 8), module.MEAN, module.STD, module.CLASS_NAMES)
    x = torch.from_numpy(val.images[:5])
    mean = torch.tensor(stats.mean).view(1, -1, 1, 1)
    std = torch.tensor(stats.std).view(1, -1, 1, 1)
    assert torch.equal(module.preprocess(x), (x.float() / 255.0 - mean) / std)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((2, 28, 28), np.uint8), "expected images of 8×8 pixels with 1 channel"),
        (np.full((8, 8), 255.0, np.float32), "float images must hold values in 0-1"),
        (np.full((8, 8), 300, np.int64), "integer pixels must lie in 0-255"),
        (np.zeros((8, 8), bool), "must be integer pixels 0-255 or floats 0-1"),
        ([], "no images given"),
    ],
)
def test_wrong_inputs_are_refused_with_one_line(module, images, message):
    with pytest.raises(ValueError, match=message) as info:
        module.predict(images, module.load_model())
    assert "\n" not in str(info.value)


def test_both_weights_files_hold_the_same_tensors(module, trained):
    folder = trained[0] / "run"
    a = module.load_model(folder / "tinynet.safetensors").state_dict()
    b = module.load_model(folder / "tinynet.pt").state_dict()
    best = load_file(str(folder / json.loads((folder / "best.json").read_text())["weights"]))
    assert a.keys() == b.keys() == best.keys()
    assert all(torch.equal(a[k], b[k]) and torch.equal(a[k], best[k]) for k in a)


def test_checkpoint_stores_the_preprocessing_that_training_measured(trained):
    folder, project, _ = trained
    stored = Preprocessing.from_dict(
        json.loads((folder / "run" / "best.json").read_text())["preprocessing"]
    )
    assert stored == measure_preprocessing(project)
    assert stored.input_shape == (1, 8, 8) and len(stored.classes) == 10 and stored.std[0] > 0


def _tampered(trained, tmp_path, **changes):
    """A copy of the run's best checkpoint with some JSON fields replaced (None deletes one)."""
    run = trained[0] / "run"
    meta = json.loads((run / "best.json").read_text())
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    for name in (json.loads((run / "best.json").read_text())["weights"],):
        (tmp_path / name).write_bytes((run / name).read_bytes())
    (tmp_path / "best.json").write_text(json.dumps(meta))
    return tmp_path / "best.json"


def test_a_checkpoint_without_preprocessing_is_measured_again(trained, tmp_path):
    checkpoint = _tampered(trained, tmp_path, preprocessing=None)
    files = export_trained_model(trained[1], checkpoint, tmp_path / "out")
    text = files.code.read_text(encoding="utf-8")
    assert "MEAN = (" in text and "CLASS_NAMES = ('0', '1'" in text


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {
                "preprocessing": {
                    "input_shape": [1, 8, 8],
                    "mean": [0.5],
                    "std": [-1.0],
                    "classes": ["a", "b"],
                }
            },
            "std must be positive",
        ),
        (
            {
                "preprocessing": {
                    "input_shape": [1, 8, 8],
                    "mean": [0.5, 0.5],
                    "std": [1.0],
                    "classes": ["a", "b"],
                }
            },
            "mean must be a list of 1 finite numbers",
        ),
        (
            {
                "preprocessing": {
                    "input_shape": [1, 8, 8],
                    "mean": [0.5],
                    "std": [1.0],
                    "classes": "ab",
                }
            },
            "classes must be a list",
        ),
        ({"preprocessing": "x"}, "'preprocessing' must be an object"),
        (
            {
                "preprocessing": {
                    "input_shape": [3, 8, 8],
                    "mean": [0, 0, 0],
                    "std": [1, 1, 1],
                    "classes": ["a", "b"],
                }
            },
            "trained on 3×8×8 images",
        ),
        (
            {
                "preprocessing": {
                    "input_shape": [1, 8, 8],
                    "mean": [0.5],
                    "std": [1.0],
                    "classes": ["a", "b"],
                }
            },
            "the head has 10 outputs but the data has 2 classes",
        ),
        (
            {"weights": "../../etc/passwd"},
            "'weights' must name a .safetensors file in the checkpoint",
        ),
        ({"weights": "missing.safetensors"}, "weights cannot be read"),
    ],
)
def test_a_tampered_checkpoint_is_refused_with_one_line(trained, tmp_path, changes, message):
    checkpoint = _tampered(trained, tmp_path, **changes)
    with pytest.raises((ExportError, CheckpointError), match=message) as info:
        export_trained_model(trained[1], checkpoint, tmp_path / "out")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "out").exists()


def test_weights_of_another_graph_are_refused_naming_the_file(trained, tmp_path):
    project = tiny_project(epochs=1)
    conv = next(n for n in project.graph.nodes.values() if n.name == "conv1")
    project.graph.set_params(conv.id, {"out_channels": 5})
    with pytest.raises(ExportError, match="conv1.weight' has shape") as info:
        export_trained_model(project, trained[0] / "run" / "best.json", tmp_path / "out")
    weights = json.loads((trained[0] / "run" / "best.json").read_text())["weights"]
    assert weights.startswith("best-") and weights in str(info.value)


def test_cli_exports_a_checkpoint_under_the_chosen_name(trained, tmp_path, capsys):
    folder, project, _ = trained
    out = tmp_path / "digits.py"
    assert (
        main(["export", str(project.path), "-o", str(out), "--checkpoint", str(folder / "run")])
        == 0
    )
    assert "digits.safetensors and digits.pt" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "WEIGHTS = 'digits'" in text and "import digits" in text
    assert (tmp_path / "digits.safetensors").is_file() and (tmp_path / "digits.pt").is_file()


@pytest.mark.parametrize(
    "out, message",
    [
        ("torch.py", "hides Python's 'torch' module"),
        ("net.onnx", "--checkpoint works with Python export only"),
    ],
)
def test_cli_refuses_a_bad_trained_export_with_one_line(trained, tmp_path, capsys, out, message):
    folder, project, _ = trained
    assert (
        main(
            [
                "export",
                str(project.path),
                "-o",
                str(tmp_path / out),
                "--checkpoint",
                str(folder / "run" / "best.json"),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
    assert list(tmp_path.iterdir()) == []


def test_a_hostile_output_name_stays_text(trained, tmp_path):
    folder, project, _ = trained
    stem = 'x"""; import os; os.system("touch pwned") #'
    files = export_trained_model(project, folder / "run" / "best.json", tmp_path, stem)
    import ast

    tree = ast.parse(files.code.read_text(encoding="utf-8"))
    assert stem in ast.get_docstring(tree, clean=False)
    assert files.safetensors.name == stem + ".safetensors"


def test_run_as_a_script_it_names_the_class_of_each_image_file(trained, tmp_path):
    import subprocess
    import sys

    folder, project, _ = trained
    val = _validation(project)
    files = export_trained_model(project, folder / "run" / "best.json", tmp_path)
    for index in range(2):
        Image.fromarray(val.images[index, 0]).save(tmp_path / f"digit{index}.png")
    command = [sys.executable, "-B", str(files.code), "digit0.png", "digit1.png"]
    module_run = subprocess.run(
        command, check=False, capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert module_run.returncode == 0, module_run.stderr
    lines = module_run.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("'digit0.png': '")
    assert lines[0][-2] in "0123456789"
    usage = subprocess.run(
        [sys.executable, "-B", str(files.code)],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert usage.returncode == 1 and "usage: python" in usage.stderr and "IMAGE..." in usage.stderr
