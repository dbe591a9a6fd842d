"""Runs are ranked by the figure of their task: validation mIoU for segmentation, accuracy for
classification (records, history, the CLI listing and summary, sweeps, graph diffs)."""

import json

import numpy as np
import pytest

from runtime.cli import main
from runtime.cli.cmd_runs import row
from runtime.runs.diff import diff_projects, load_side
from runtime.runs.record import read_history, read_record
from runtime.runs.recorder import RunRecorder
from runtime.runs.store import RunStore
from runtime.runs.sweep_worker import epoch_score
from runtime.training.events import EpochMetrics, Finished
from tests.runtime.segmentation_helpers import tiny_segmenter
from tests.runtime.training_helpers import tiny_project


def _epoch(epoch: int, pixel_acc: float, miou: float | None) -> EpochMetrics:
    return EpochMetrics(
        epoch, epoch * 10, 0.5, 0.8, 0.6, pixel_acc, 0.01, np.zeros((2, 2)), miou=miou
    )


def _recorded(project, root, name, epochs, best=None):
    recorder = RunRecorder.start(project, root, "test", name=name)
    for event in epochs:
        recorder.observe(event)
    recorder.observe(Finished("completed", "done", 20, len(epochs), best))
    return recorder.record


def test_segmentation_runs_rank_by_miou_not_pixel_accuracy(tmp_path):
    project = tiny_segmenter()
    # pixel accuracy prefers "flat" (it paints everything background); mIoU prefers "sharp"
    flat = _recorded(project, tmp_path, "flat", [_epoch(1, 0.95, 0.40), _epoch(2, 0.96, 0.35)])
    sharp = _recorded(project, tmp_path, "sharp", [_epoch(1, 0.90, 0.70), _epoch(2, 0.92, 0.80)])
    stored = {r.name: r for r in RunStore(tmp_path).list()}
    assert stored["flat"].task == stored["sharp"].task == "segmentation"
    assert stored["flat"].metric == "mIoU"
    assert stored["sharp"].best_score == pytest.approx(0.80)
    assert stored["flat"].best_score == pytest.approx(0.40)
    assert stored["flat"].last_score == pytest.approx(0.35)
    assert stored["flat"].best_val_accuracy == pytest.approx(0.96)  # still kept, not ranked by
    best = max(stored.values(), key=lambda r: r.best_score)
    assert best.name == "sharp" and sharp.best_val_miou > flat.best_val_miou
    history = [h for h in read_history(stored["sharp"].folder) if h["kind"] == "epoch"]
    assert [h["miou"] for h in history] == [0.70, 0.80]


def test_the_runs_own_best_goes_to_the_figure_it_ranks_by(tmp_path):
    seg = _recorded(tiny_segmenter(), tmp_path / "s", "s", [_epoch(1, 0.9, 0.6)], best=0.65)
    assert seg.best_val_miou == 0.65 and seg.best_val_accuracy == 0.9
    cls = _recorded(tiny_project(), tmp_path / "c", "c", [_epoch(1, 0.7, None)], best=0.75)
    assert cls.task == "classification" and cls.metric == "accuracy"
    assert cls.best_score == cls.best_val_accuracy == 0.75 and cls.best_val_miou is None
    assert "miou" not in read_history(cls.folder)[0]


def test_older_and_damaged_records_read_as_classification_or_without_miou(tmp_path):
    record = _recorded(tiny_segmenter(), tmp_path, "s", [_epoch(1, 0.9, 0.6)])
    path = record.folder / "run.json"
    doc = json.loads(path.read_text())
    doc.pop("task")
    path.write_text(json.dumps(doc))
    assert read_record(record.folder).task == "classification"
    doc.update(task="segmentation", best_val_miou="high", last_val_miou=True)
    path.write_text(json.dumps(doc))
    again = read_record(record.folder)
    assert again.metric == "mIoU" and again.best_score is None and again.last_score is None
    doc["task"] = ["segmentation"]
    path.write_text(json.dumps(doc))
    assert read_record(record.folder).metric == "accuracy"


def test_cli_listing_and_diff_name_miou(tmp_path):
    record = _recorded(tiny_segmenter(), tmp_path, "s", [_epoch(1, 0.97, 0.61)])
    line = row(record)
    assert "mIoU 61.00%" in line and "97.00%" not in line
    side = load_side(record.folder)
    assert side.accuracy == pytest.approx(0.61)
    lines = diff_projects(side, side).lines()
    assert any(line.startswith("mIoU") and "61.00%" in line for line in lines), lines
    cls = _recorded(tiny_project(), tmp_path / "c", "c", [_epoch(1, 0.7, None)])
    assert "mIoU" not in row(cls) and "70.00%" in row(cls)
    mixed = diff_projects(load_side(cls.folder), side).lines()
    assert any(line.startswith("accuracy / mIoU") for line in mixed), mixed


def test_a_trained_segmenter_records_its_best_miou(tmp_path):
    project_file = tiny_segmenter(epochs=2).save(tmp_path / "seg.json")
    out = tmp_path / "out"
    assert main(["train", str(project_file), "--device", "cpu", "--out", str(out)]) == 0
    (run,) = RunStore(tmp_path / "seg.runs").list()
    epochs = [h for h in read_history(run.folder) if h["kind"] == "epoch"]
    assert run.task == "segmentation" and len(epochs) == 2
    assert run.best_val_miou == pytest.approx(max(h["miou"] for h in epochs))
    assert run.last_val_miou == pytest.approx(epochs[-1]["miou"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["best_val_miou"] == pytest.approx(run.best_val_miou)
    assert "best_val_accuracy" not in summary


def test_sweep_trials_report_miou_when_segmenting():
    assert epoch_score(_epoch(1, 0.95, 0.4)) == 0.4
    assert epoch_score(_epoch(1, 0.95, None)) == 0.95


def test_tensorboard_logs_the_validation_miou(tmp_path):
    pytest.importorskip(
        "tensorboard", reason="TensorBoard logging needs the extra convstudio[tensorboard]"
    )
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    recorder = RunRecorder.start(tiny_segmenter(), tmp_path, "test").log_tensorboard()
    for epoch, miou in ((1, 0.5), (2, 0.75)):
        recorder.observe(_epoch(epoch, 0.9, miou))
    recorder.observe(Finished("completed", "done", 20, 2))
    events = EventAccumulator(str(recorder.folder / "tensorboard"))
    events.Reload()
    assert [s.value for s in events.Scalars("val/miou")] == pytest.approx([0.5, 0.75])
