"""`convstudio train` end to end: progress, metrics JSON lines, checkpoints, export, one-line
failures."""

import json

from runtime.cli import main
from tests.runtime.training_helpers import tiny_project


def test_train_headless_writes_everything(tmp_path, capsys):
    project_file = tiny_project(epochs=5).save(tmp_path / "tiny.json")
    out = tmp_path / "out"
    assert (
        main(["train", str(project_file), "--epochs", "2", "--device", "cpu", "--out", str(out)])
        == 0
    )
    captured = capsys.readouterr()
    assert "training completed after" in captured.out and "epoch 2/2: train loss" in captured.err
    assert "\r" not in captured.err and "ETA" not in captured.err  # a log gets whole lines only
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in lines if r["kind"] == "epoch"] == [1, 2]
    assert any(r["kind"] == "step" for r in lines)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "completed" and summary["epochs"] == 2
    for name in ("last.json", "best.json", "tinynet.py", "tinynet.safetensors"):
        assert (out / name).exists(), name
    for stem in ("last", "best"):
        meta = json.loads((out / f"{stem}.json").read_text())
        assert (out / meta["weights"]).exists() and (out / meta["optimizer"]["tensors"]).exists()


def test_train_default_output_folder_and_resume(tmp_path, capsys):
    project_file = tiny_project().save(tmp_path / "tiny.json")
    assert main(["train", str(project_file)]) == 0
    out = tmp_path / "tiny-training"
    assert (out / "last.json").exists()
    assert (
        main(
            [
                "train",
                str(project_file),
                "--epochs",
                "2",
                "--resume",
                str(out),
                "--out",
                str(tmp_path / "r"),
            ]
        )
        == 0
    )
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["epochs"] == 2


def test_train_failure_is_one_line_and_nonzero(tmp_path, capsys):
    project_file = tiny_project(
        optimizer="sgd", lr=9.0, momentum=0.0, init="gaussian", init_std=5.0, epochs=5
    ).save(tmp_path / "bad.json")
    assert main(["train", str(project_file), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("convstudio: error: loss became non-finite at step")


def test_train_bad_settings_one_line(tmp_path, capsys):
    project = tiny_project(optimizer="adamm")
    assert main(["train", str(project.save(tmp_path / "p.json"))]) == 1
    assert capsys.readouterr().err.strip() == (
        "convstudio: error: training setting 'optimizer': expected one of "
        "sgd, momentum, nesterov, adagrad, adadelta, rmsprop, adam, adamw, "
        "adamax, nadam, amsgrad, got 'adamm'"
    )
