"""Sweeps on Optuna: grid trials stored, a killed trial failed while the sweep goes on, two
processes
sharing one SQLite study."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.runs.errors import SweepError
from runtime.runs.space import apply_values, grid_size, parse_space
from runtime.runs.store import RunStore
from tests.runtime.training_helpers import tiny_project

optuna = pytest.importorskip(
    "optuna", reason="sweeps need the optional extra convstudio[sweep] (optuna)"
)
from runtime.runs.sweep import run_sweep  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _project(tmp_path):
    project = tiny_project(epochs=1)
    project.save(tmp_path / "tiny.json")
    return project


def test_space_is_checked_against_the_project():
    project = tiny_project()
    dims = parse_space(
        {"lr": {"log": [1e-4, 1e-1]}, "conv1.out_channels": [4, 8], "seed": {"range": [0, 9]}},
        project,
    )
    assert [(d.key, d.kind) for d in dims] == [
        ("lr", "float"),
        ("conv1.out_channels", "choice"),
        ("seed", "int"),
    ]
    for space, message in (
        ({"lrr": [1]}, "'lrr': is not a training setting"),
        ({"conv9.out_channels": [1]}, "no node named 'conv9'"),
        ({"conv1.width": [1]}, "has no parameter 'width'"),
        ({"lr": {"log": [0, 1]}}, "must be above zero"),
        ({"lr": []}, "empty"),
    ):
        with pytest.raises(SweepError, match=message):
            parse_space(space, project)
    with pytest.raises(SweepError, match="grid sweep needs a list"):
        grid_size(dims)
    with pytest.raises(SweepError, match="'conv1.out_channels': value -3 is refused"):
        apply_values(project, {"conv1.out_channels": -3})
    changed = apply_values(project, {"conv1.out_channels": 8, "lr": 0.5})
    assert (
        changed.graph.by_name("conv1").params["out_channels"] == 8 and changed.training["lr"] == 0.5
    )
    assert project.graph.by_name("conv1").params["out_channels"] == 4


def test_grid_sweep_runs_every_point_and_stores_it(tmp_path):
    project = _project(tmp_path)
    dims = parse_space({"lr": [0.003, 0.03], "conv1.out_channels": [2, 4]}, project)
    report = run_sweep(project, dims, 10, tmp_path / "tiny.runs", "grid")
    assert len(report.results) == 4 and all(r.state == "complete" for r in report.results)
    study = optuna.load_study(study_name="tiny", storage=report.storage)
    trials = study.get_trials()
    assert len(trials) == 4 and all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    assert sorted((t.params["lr"], t.params["conv1.out_channels"]) for t in trials) == [
        (0.003, 2),
        (0.003, 4),
        (0.03, 2),
        (0.03, 4),
    ]
    runs = RunStore(tmp_path / "tiny.runs").list()
    assert len(runs) == 4 and {r.source for r in runs} == {"sweep"}
    assert {r.sweep["trial"] for r in runs} == {0, 1, 2, 3}
    assert report.best_value == study.best_value and report.best_values == study.best_params


def test_a_killed_trial_is_failed_and_the_sweep_goes_on(tmp_path):
    project = _project(tmp_path)
    project.training["epochs"] = 30
    project.training["batch_size"] = 8
    dims = parse_space({"lr": {"log": [1e-3, 1e-2]}}, project)
    killed = []

    def kill_first(kind, data):
        if kind == "started" and not killed:
            killed.append(data[0])
            os.kill(data[2], signal.SIGKILL)

    report = run_sweep(
        project,
        dims,
        3,
        tmp_path / "tiny.runs",
        "random",
        overrides={"epochs": 1},
        on_event=kill_first,
        seed=1,
    )
    states = {r.number: r.state for r in report.results}
    assert states[killed[0]] == "failed" and sorted(states.values()) == [
        "complete",
        "complete",
        "failed",
    ]
    study = optuna.load_study(study_name="tiny", storage=report.storage)
    assert sorted(t.state.name for t in study.get_trials()) == ["COMPLETE", "COMPLETE", "FAIL"]


def test_two_processes_share_a_sqlite_study_without_losing_a_trial(tmp_path):
    _project(tmp_path)
    (tmp_path / "space.json").write_text(json.dumps({"lr": {"log": [1e-3, 3e-2]}}))
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    command = [
        sys.executable,
        "-m",
        "runtime",
        "sweep",
        str(tmp_path / "tiny.json"),
        "--space",
        str(tmp_path / "space.json"),
        "--trials",
        "2",
        "--sampler",
        "random",
        "--storage",
        storage,
        "--study",
        "shared",
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    trials = optuna.load_study(study_name="shared", storage=storage).get_trials()
    assert sorted(t.number for t in trials) == [0, 1, 2, 3]
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
