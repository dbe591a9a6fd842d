"""`convstudio train` with careless and hostile input: the head against the data, output folders,
signals,
strings that cannot be stored, models too large to allocate, and what the progress output looks
like."""

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime.cli import main
from runtime.cli.train_progress import Progress
from runtime.training import EpochMetrics, Started, StepMetrics, train
from runtime.training.fit_checks import HeadMismatchError
from runtime.training.out_folder import LOCK_NAME, locked_folder
from tests.runtime.training_helpers import tiny_project

ROOT = Path(__file__).resolve().parents[2]


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("convstudio: error: ")
    return lines[0]


def _head(project):
    return next(n for n in project.graph.nodes.values() if n.block == "output")


@pytest.mark.parametrize("classes", [2, 12])
def test_head_class_count_is_checked_before_the_first_batch(tmp_path, capsys, classes):
    project = tiny_project()
    project.graph.set_params(_head(project).id, {"num_classes": classes})
    path = project.save(tmp_path / "p.json")
    out = tmp_path / "out"
    assert main(["train", str(path), "--out", str(out)]) == 1
    line = _one_line_error(capsys)
    assert line == (
        f"convstudio: error: the head 'head' gives {classes} class scores but the data "
        "(8×8 digits) has 10 classes: set num_classes of 'head' to 10"
    )
    assert not out.exists()  # refused before anything was written: not even an empty folder


def test_head_check_names_the_node_for_the_window():
    project = tiny_project()
    project.graph.set_params(_head(project).id, {"num_classes": 3})
    with pytest.raises(HeadMismatchError) as info:
        next(iter(train(project)))
    error = info.value
    assert (
        error.node_id,
        error.node_name,
        error.head_classes,
        error.data_classes,
        error.fixable,
    ) == (_head(project).id, "head", 3, 10, True)


def test_a_pass_through_output_of_the_wrong_shape_says_what_to_change(tmp_path, capsys):
    project = tiny_project()
    project.graph.set_params(_head(project).id, {"num_classes": 0})
    assert (
        main(["train", str(project.save(tmp_path / "p.json")), "--out", str(tmp_path / "o")]) == 1
    )
    assert _one_line_error(capsys) == (
        "convstudio: error: the network's output 'head' is 4×8×8 per image but the "
        "data (8×8 digits) has 10 classes: set num_classes of 'head' to 10 to give "
        "one score per class"
    )


@pytest.mark.parametrize("where", ["file", "device", "under_a_file"])
def test_unusable_out_is_one_line(tmp_path, capsys, where):
    path = tiny_project().save(tmp_path / "p.json")
    (tmp_path / "plain").write_text("keep me")
    out = {
        "file": tmp_path / "plain",
        "device": Path("/dev/null"),
        "under_a_file": tmp_path / "plain" / "x",
    }[where]
    assert main(["train", str(path), "--out", str(out)]) == 1
    line = _one_line_error(capsys)
    assert str(out) in line and ("not a folder" in line or "cannot be created" in line)
    assert (tmp_path / "plain").read_text() == "keep me"
    assert Path("/dev/null").is_char_device()


def test_a_second_run_into_a_busy_folder_is_refused_naming_the_first(tmp_path, capsys):
    path = tiny_project().save(tmp_path / "p.json")
    out = tmp_path / "out"
    script = (
        "import sys, time\nfrom runtime.training.out_folder import locked_folder\n"
        "with locked_folder(sys.argv[1], 'convstudio train first.json'):\n"
        "    print('held', flush=True)\n    time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert main(["train", str(path), "--out", str(out)]) == 1
        line = _one_line_error(capsys)
        assert f"{out}: is in use by another training run (process {holder.pid} on " in line
        assert "convstudio train first.json" in line and "choose another output folder" in line
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]
    finally:
        holder.kill()
        holder.wait()
    assert main(["train", str(path), "--out", str(out)]) == 0  # the lock died with its process
    assert not (out / LOCK_NAME).exists()


def test_one_process_may_nest_its_own_lock(tmp_path):
    with locked_folder(tmp_path / "o", "outer"), locked_folder(tmp_path / "o", "inner"):
        assert (tmp_path / "o" / LOCK_NAME).exists()
    assert not (tmp_path / "o" / LOCK_NAME).exists()


def _records(out):
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def test_resuming_into_the_same_folder_appends_the_history(tmp_path, capsys):
    path = tiny_project().save(tmp_path / "p.json")
    out = tmp_path / "out"
    assert main(["train", str(path), "--out", str(out), "--epochs", "1"]) == 0
    with open(out / "metrics.jsonl", "a") as handle:
        handle.write('{"kind": "step", "step": 999, "ep')  # a line a kill cut short
    assert main(["train", str(path), "--out", str(out), "--epochs", "3", "--resume", str(out)]) == 0
    records = _records(out)
    assert [r["epoch"] for r in records if r["kind"] == "epoch"] == [1, 2, 3]
    steps = [r["step"] for r in records]
    assert steps == sorted(steps) and 999 not in steps


def test_a_fresh_run_does_not_silently_replace_an_earlier_one(tmp_path, capsys):
    path = tiny_project().save(tmp_path / "p.json")
    out = tmp_path / "out"
    assert main(["train", str(path), "--out", str(out)]) == 0
    before = (out / "last.json").read_text()
    capsys.readouterr()
    assert main(["train", str(path), "--out", str(out)]) == 1
    assert "already holds a training run (last.json): continue it with --resume" in _one_line_error(
        capsys
    )
    assert (out / "last.json").read_text() == before
    assert main(["train", str(path), "--out", str(out), "--overwrite"]) == 0


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_writes_a_checkpoint_where_the_run_stopped(tmp_path, number):
    path = tiny_project(epochs=200, log_every=1, batch_size=8).save(tmp_path / "p.json")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtime", "train", str(path), "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (out / "last.json").exists() and (out / "metrics.jsonl").stat().st_size > 0:
                break
            time.sleep(0.05)
        time.sleep(0.3)  # well into the second epoch
        proc.send_signal(number)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + number, err
    name = signal.Signals(number).name
    last = err.strip().splitlines()[-1]
    assert (
        last.startswith(f"convstudio: interrupted by {name} after ") and f"--resume {out}" in last
    )
    meta = json.loads((out / "last.json").read_text())
    assert meta["epoch"] >= 1 and meta["step"] == meta["epoch"] * 179 + meta["epoch_step"]
    summary = json.loads((out / "summary.json").read_text())
    assert (
        summary["status"] == "stopped"
        and summary["signal"] == name
        and summary["steps"] == meta["step"]
    )
    assert not (out / LOCK_NAME).exists()


def test_lone_surrogates_never_crash_after_the_run(tmp_path, capsys):
    project = tiny_project()
    project.name, project.description = "bad\ud800name", "text \udfff here"
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(project.to_dict()), encoding="ascii"
    )  # \ud800 escapes: valid JSON text
    out = tmp_path / "out"
    code = main(["train", str(path), "--out", str(out)])
    if code == 1:  # refused up front: nothing trained, nothing half-written
        assert "lone surrogate" in _one_line_error(capsys) or "cannot be" in capsys.readouterr().err
        assert not (out / "last.json").exists()
    else:
        assert code == 0 and json.loads((out / "summary.json").read_text())["status"] == "completed"


def test_a_model_too_large_to_allocate_says_how_large_and_what_to_change(tmp_path, capsys):
    project = tiny_project()
    g = project.graph
    conv = next(n for n in g.nodes.values() if n.name == "conv1")
    relu = next(n for n in g.nodes.values() if n.name == "relu1")
    g.set_params(conv.id, {"out_channels": 16384})
    g.disconnect(g.inputs_of(relu.id)[0])
    wide = g.add_node(
        "conv2d", {"out_channels": 16384, "kernel_size": 9, "padding": 4}, name="wide"
    )
    g.connect(conv.id, wide.id)
    g.connect(wide.id, relu.id)
    started = time.monotonic()
    assert (
        main(["train", str(project.save(tmp_path / "big.json")), "--out", str(tmp_path / "o")]) == 1
    )
    line = _one_line_error(capsys)
    assert time.monotonic() - started < 30
    assert (
        "the network is too large to train here: 21,753,937,930 parameters (87.0 GB of weights)"
        in line
    )
    assert "free: give 'wide' (21,743,288,320 parameters) fewer channels or units" in line


def _started(epochs=2, steps=100, start_epoch=0):
    import numpy as np

    return Started(
        epochs, steps, 32, 3200, 800, ("a", "b"), "cpu", np.zeros((1, 2, 2), np.uint8), start_epoch
    )


def _step(step, epoch, sps=1000.0):
    return StepMetrics(step, epoch, 0.5, 0.75, 0.01, sps, 0.0)


def test_progress_on_a_terminal_counts_iterations_within_the_epoch():
    out = io.StringIO()
    progress = Progress(out, live=True)
    progress.started(_started(epochs=1), "Net")
    progress.step(_step(10, 0))
    progress.step(_step(135 - 100, 0))
    text = out.getvalue()
    assert "1 epoch\n" in text and "1 epochs" not in text
    assert "\repoch 1/1 [" in text and "iteration 10/100" in text and "iteration 35/100" in text


def test_progress_second_epoch_uses_the_per_epoch_counter():
    out = io.StringIO()
    progress = Progress(out, live=True)
    progress.started(_started(epochs=2), "Net")
    progress.step(_step(135, 1))
    assert "epoch 2/2" in out.getvalue() and "iteration 35/100" in out.getvalue()
    assert "135/" not in out.getvalue()


def test_first_eta_comes_from_the_measured_speed_not_from_the_setup_time():
    out = io.StringIO()
    progress = Progress(out, live=True)
    progress.started(_started(epochs=1, steps=100), "Net")
    time.sleep(0.2)  # loading and building, which must not inflate the estimate
    progress.step(_step(10, 0, sps=32 * 100.0))  # 100 iterations per second
    assert progress.eta(10) == pytest.approx(0.9)
    assert "ETA 0:01" in out.getvalue()


def test_progress_off_a_terminal_is_whole_lines_per_epoch():
    out = io.StringIO()
    progress = Progress(out, live=False)
    progress.started(_started(epochs=1), "Net")
    progress.step(_step(10, 0))
    import numpy as np

    progress.epoch(EpochMetrics(1, 100, 0.4, 0.8, 0.5, 0.7, 0.01, np.zeros((2, 2)), True))
    text = out.getvalue()
    assert "\r" not in text and text.count("\n") == 2
    assert text.splitlines()[1].startswith(
        "epoch 1/1: train loss 0.4000, val loss 0.5000, val accuracy 70.00% (best); took 0:00"
    )
