"""Run history: every CLI run recorded beside the project; list, rename, star, note, delete;
continue."""

import json

import pytest
import torch
from safetensors.torch import load_file

from runtime.cli import main
from runtime.project import load_project
from runtime.runs.continue_from import continue_from_run, match_run
from runtime.runs.errors import RunError
from runtime.runs.record import read_history, read_record
from runtime.runs.recorder import RunRecorder, record_run
from runtime.runs.store import RunStore
from runtime.training import train
from runtime.training.checkpoint import read_checkpoint
from tests.runtime.training_helpers import tiny_project


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A project file and the run that `convstudio train` recorded for it."""
    folder = tmp_path_factory.mktemp("runs")
    project_file = tiny_project(epochs=2).save(folder / "tiny.json")
    assert main(["train", str(project_file), "--device", "cpu", "--out", str(folder / "out")]) == 0
    (run,) = RunStore(folder / "tiny.runs").list()
    return project_file, run


def test_cli_run_is_recorded_with_everything(trained):
    project_file, run = trained
    assert (
        run.status == "completed"
        and run.source == "cli"
        and run.epochs == 2
        and run.planned_epochs == 2
    )
    assert (
        run.device == "cpu"
        and run.settings["device"] == "cpu"
        and run.settings["optimizer"] == "adam"
    )
    assert (
        set(run.versions) == {"convstudio", "torch", "python"}
        and run.versions["torch"] == torch.__version__
    )
    assert run.params == 2610 and run.macs == 4864 and run.receptive_field == 3
    assert (
        0 < run.best_val_accuracy <= 1
        and run.duration_s > 0
        and run.project_file == str(project_file)
    )
    last = read_checkpoint(run.folder / "last.json")
    best = read_checkpoint(run.folder / "best.json")["weights"]
    for name in ("project.json", best, "last.json", last["optimizer"]["tensors"]):
        assert (run.folder / name).is_file(), name
    assert run.checkpoints == {"last": "last.json", "best": "best.json"}
    snapshot = json.loads((run.folder / "project.json").read_text())
    assert snapshot["nodes"] == json.loads(project_file.read_text())["nodes"]
    history = read_history(run.folder)
    assert [h["epoch"] for h in history if h["kind"] == "epoch"] == [1, 2]
    assert any(h["kind"] == "step" for h in history)


def test_store_rename_star_note_delete(tmp_path):
    project = tiny_project(epochs=1)
    project.path = tmp_path / "p.json"
    store = RunStore(tmp_path / "p.runs")
    ids = []
    for _ in range(2):
        recorder = RunRecorder.start(project, store.root, "test")
        recorder.finish("completed", "done")
        ids.append(recorder.record.id)
    assert [r.id for r in store.list()] == sorted(ids, reverse=True)
    store.rename(ids[0], "  wide conv  ")
    store.star("wide conv")
    store.note(ids[0], "lr too high?")
    record = store.get(ids[0])
    assert (record.name, record.starred, record.note) == ("wide conv", True, "lr too high?")
    assert read_record(record.folder).status == "completed"  # labels never touch the run record
    with pytest.raises(RunError, match="cannot be empty"):
        store.rename(ids[0], " ")
    with pytest.raises(RunError, match="has no run 'nope'"):
        store.star("nope")
    (store.root / "not-a-run").mkdir()
    store.delete("wide conv")
    assert [r.id for r in store.list()] == [ids[1]] and (store.root / "not-a-run").is_dir()


def test_a_run_ending_with_an_error_is_recorded_failed_and_a_dead_one_interrupted(tmp_path):
    project = tiny_project(epochs=1)
    recorder = RunRecorder.start(project, tmp_path, "test")
    with pytest.raises(ZeroDivisionError):
        for _ in record_run((1 / 0 for _ in range(1)), recorder):
            pass
    assert read_record(recorder.folder).status == "failed"
    other = RunRecorder.start(project, tmp_path, "test")
    other.record.pid = 2**22 + 12345  # no such process
    other.record.save()
    assert read_record(other.folder).state == "interrupted"


def test_stopping_a_run_generator_records_stopped(tmp_path):
    project = tiny_project(epochs=3)
    recorder = RunRecorder.start(project, tmp_path, "test")
    stream = record_run(train(project, out_dir=recorder.folder), recorder)
    next(stream)
    stream.close()
    assert read_record(recorder.folder).status == "stopped"


def test_continue_copies_exactly_the_unchanged_tensors(trained, tmp_path):
    project_file, run = trained
    project = load_project(project_file)
    graph = project.graph
    graph.set_params(
        graph.by_name("conv1").id, {"out_channels": 8}
    )  # conv1 weight and bias change shape
    extra = graph.add_node("conv2d", {"out_channels": 4, "kernel_size": 1}, name="mix")
    relu, head = graph.by_name("relu1"), graph.by_name("head")
    for edge in list(graph.consumers(relu.id)):
        graph.disconnect(edge)
    graph.connect(relu.id, extra.id)
    graph.connect(extra.id, head.id)  # head keeps its input size 4×8×8
    target = tmp_path / "wider.json"
    report = continue_from_run(project, run.folder, target)
    source = load_file(str(run.folder / read_checkpoint(run.folder / "best.json")["weights"]))
    assert report.copied == ["head"] and report.not_copied == {
        "conv1": "weight shape changed 4×1×3×3 → 8×1×3×3",
        "mix": "new node (not in the run)",
    }
    assert set(report.state) == {k for k in source if k.startswith("head.")}
    project.save(target)
    saved = load_file(str(tmp_path / "wider.weights.safetensors"))
    assert set(saved) == set(report.state)
    assert all(torch.equal(saved[k], source[k]) for k in saved)
    assert match_run(load_project(project_file), run.folder).copied == ["conv1", "head"]


def test_cli_runs_and_continue(trained, tmp_path, capsys):
    project_file, run = trained
    assert main(["runs", str(project_file)]) == 0
    assert run.id in capsys.readouterr().out
    assert main(["runs", str(project_file), "--note", run.id, "baseline"]) == 0
    assert "baseline" in capsys.readouterr().out
    copy = tmp_path / "copy.json"
    copy.write_text(project_file.read_text())
    assert main(["continue", str(copy), str(run.folder), "--checkpoint", "last"]) == 0
    assert "copied      conv1" in capsys.readouterr().out
    assert load_project(copy).extra["weights"]["file"] == "copy.weights.safetensors"
    assert main(["continue", str(copy), "no-such-run"]) == 1
    assert "has no run 'no-such-run'" in capsys.readouterr().err


def test_tensorboard_event_files_beside_the_run(tmp_path):
    pytest.importorskip(
        "tensorboard", reason="TensorBoard logging needs the extra convstudio[tensorboard]"
    )
    project_file = tiny_project(epochs=1).save(tmp_path / "t.json")
    assert main(["train", str(project_file), "--out", str(tmp_path / "o"), "--tensorboard"]) == 0
    (run,) = RunStore(tmp_path / "t.runs").list()
    events = list((run.folder / "tensorboard").glob("events.out.tfevents.*"))
    assert len(events) == 1 and events[0].stat().st_size > 100
    assert main(["train", str(project_file), "--tensorboard", "--no-record"]) == 1
