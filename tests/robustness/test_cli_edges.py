"""The command line's edges, in real processes: closed pipes, no display, bugs, broken graphs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.cli.display_check import display_problem
from tests.robustness.corpus import tiny_project

REPO = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    return dict(env, PYTHONPATH=str(REPO), **extra)


def _convstudio(*argv: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "runtime", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=120,
    )


@pytest.mark.parametrize("command", [["blocks"], ["templates"], ["blocks", "--format", "json"]])
def test_a_reader_that_stops_early_ends_the_command_quietly(command, tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime", *command],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = process.stdout.readline()  # `| head -1`
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert first and stderr == ""


def test_open_without_a_display_says_so_in_one_line(tmp_path):
    done = _convstudio("open", cwd=tmp_path)
    assert done.returncode == 1
    assert (
        done.stderr.count("\n") == 1 and "no display found" in done.stderr and "Xvfb" in done.stderr
    )


def test_open_reports_a_bad_file_before_looking_for_a_display(tmp_path):
    (tmp_path / "bad.json").write_text("{")
    done = _convstudio("open", "bad.json", cwd=tmp_path)
    assert done.returncode == 1 and "bad.json: is not valid JSON" in done.stderr


def test_display_problems_name_what_to_install_or_set(tmp_path):
    assert "DISPLAY" in display_problem({}, "linux")
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({}, "darwin") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    unanswered = display_problem({"DISPLAY": ":97"}, "linux")
    assert "no X server answers on DISPLAY=:97" in unanswered


def test_a_bug_is_one_line_naming_the_command_and_the_traceback_file(tmp_path):
    code = (
        "import sys, runtime.cli.cmd_blocks as m\n"
        "def broken(args):\n    raise KeyError('boom\\nsecond line')\n"
        "m.run = broken\nfrom runtime.cli import main\nsys.exit(main(['blocks']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_env(XDG_CACHE_HOME=str(tmp_path / "cache")),
        timeout=120,
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("convstudio blocks: internal error (a bug in ConvStudio")
    report = Path(lines[0].rsplit("the full traceback is in ", 1)[1])
    assert report.parent == tmp_path / "cache" / "convstudio" / "crashes"
    assert "Traceback" in report.read_text() and "boom" in report.read_text()


def _broken_project(tmp_path: Path) -> Path:
    doc = tiny_project()
    doc["nodes"][1]["params"].update(kernel_size=11, padding=0)  # conv1 cannot see an 8×8 input
    doc["nodes"].append(
        {"id": "x", "block": "linear", "name": "stray", "params": {}, "position": [0, 0]}
    )
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "broken.json", "-o", "out.py"],
        ["train", "broken.json", "--out", "run", "--no-record"],
        ["summary", "broken.json"],
    ],
)
def test_every_broken_node_is_named_on_one_line(argv, tmp_path):
    _broken_project(tmp_path)
    done = _convstudio(*argv, cwd=tmp_path)
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    # the spare 'stray' node is left out with a warning: only conv1 stops the command
    assert "'conv1'" in line and "'stray'" not in line
    assert not (tmp_path / "out.py").exists()


def test_summary_json_marks_the_layers_after_a_broken_one(tmp_path):
    _broken_project(tmp_path)
    done = _convstudio("summary", "broken.json", "--format", "json", cwd=tmp_path)
    layers = {layer["name"]: layer for layer in json.loads(done.stdout)["layers"]}
    assert "kernel" in layers["conv1"]["error"]
    for name in ("relu1", "flatten1", "head"):
        assert (
            layers[name]["error"] == "not analysed: depends on 'conv1'"
            and "params" not in layers[name]
        )
    assert layers["image"]["params"] == 0 and "error" not in layers["image"]
    warning = layers["stray"]["warning"]
    assert "'stray' is not on a path" in warning and "needs an input" in warning


def test_a_refused_train_says_one_line_and_records_no_run(tmp_path):
    doc = tiny_project()
    doc["nodes"][-1]["params"]["num_classes"] = 3  # the bundled digits have 10 classes
    (tmp_path / "p.json").write_text(json.dumps(doc), encoding="utf-8")
    result = _convstudio("train", "p.json", "--out", "run", cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "3" in result.stderr and "10" in result.stderr  # both class counts are named
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]


def test_a_run_that_starts_is_recorded_beside_the_project(tmp_path):
    doc = tiny_project()
    (tmp_path / "p.json").write_text(json.dumps(doc), encoding="utf-8")
    result = _convstudio("train", "p.json", "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "recording run 'run 1'" in result.stderr
    records = list((tmp_path / "p.runs").glob("*/run.json"))
    assert len(records) == 1
    assert json.loads(records[0].read_text(encoding="utf-8"))["status"] == "completed"
