"""Resuming: every schedule continues at the checkpoint's point when the epoch count changes, and a
run
stopped mid-epoch continues exactly as if it had never stopped."""

import json

import pytest
import torch
from safetensors.torch import load_file

from runtime.training import (
    Control,
    EpochMetrics,
    Finished,
    Started,
    StepMetrics,
    train,
)
from runtime.training.loop import ResumeError
from runtime.training.settings import SCHEDULES
from tests.runtime.training_helpers import tiny_project

STEPS_PER_EPOCH = 22  # 1,438 training digits in batches of 64


def _project(schedule: str, epochs: int, **extra):
    return tiny_project(
        schedule=schedule,
        epochs=epochs,
        step_epochs=1,
        gamma=0.5,
        optimizer="nesterov",
        lr=0.05,
        momentum=0.9,
        **extra,
    )


def _run(project, out=None, resume=None, stop_after_step=None, **overrides):
    """All events; with stop_after_step the run is asked to stop once that iteration is reported."""
    control = Control()
    events = []
    for event in train(project, control, out, resume=resume, **overrides):
        events.append(event)
        if (
            stop_after_step is not None
            and isinstance(event, StepMetrics)
            and event.step >= stop_after_step
        ):
            control.request_stop()
    return events


def _lrs(events):
    return {e.step: e.lr for e in events if isinstance(e, StepMetrics)}


def _weights(folder):
    meta = json.loads((folder / "last.json").read_text())
    return load_file(str(folder / meta["weights"]))


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_longer_resume_follows_the_new_schedule(tmp_path, schedule):
    first = _run(_project(schedule, 1), tmp_path / "a")
    assert first[-1].status == "completed"
    resumed = _run(_project(schedule, 3), tmp_path / "b", resume=tmp_path / "a")
    assert resumed[-1].status == "completed" and resumed[-1].step == 3 * STEPS_PER_EPOCH
    assert resumed[0].start_epoch == 1
    straight = _lrs(_run(_project(schedule, 3)))
    after = _lrs(resumed)
    assert after and min(after) > STEPS_PER_EPOCH
    for step, lr in after.items():
        assert lr == pytest.approx(straight[step], rel=1e-9, abs=1e-12), (schedule, step)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_shorter_resume_from_mid_epoch_follows_the_new_schedule(tmp_path, schedule):
    stopped = _run(_project(schedule, 4), tmp_path / "a", stop_after_step=STEPS_PER_EPOCH + 6)
    assert stopped[-1].status == "stopped" and stopped[-1].step == STEPS_PER_EPOCH + 6
    meta = json.loads((tmp_path / "a" / "last.json").read_text())
    assert (meta["epoch"], meta["step"], meta["epoch_step"]) == (1, STEPS_PER_EPOCH + 6, 6)
    resumed = _run(_project(schedule, 2), tmp_path / "b", resume=tmp_path / "a")
    assert resumed[-1].status == "completed" and resumed[-1].step == 2 * STEPS_PER_EPOCH
    straight = _lrs(_run(_project(schedule, 2)))
    after = _lrs(resumed)
    assert after and min(after) > STEPS_PER_EPOCH + 6
    if schedule in (
        "constant",
        "one_cycle",
        "cosine",
        "step",
    ):  # plateau depends on the 4-epoch run's past
        for step, lr in after.items():
            assert lr == pytest.approx(straight[step], rel=1e-9, abs=1e-12), (schedule, step)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_stopped_mid_epoch_then_resumed_equals_an_unbroken_run(tmp_path, schedule):
    _run(_project(schedule, 2), tmp_path / "whole")
    _run(_project(schedule, 2), tmp_path / "part", stop_after_step=STEPS_PER_EPOCH + 4)
    resumed = _run(_project(schedule, 2), tmp_path / "part", resume=tmp_path / "part")
    epochs = [e.epoch for e in resumed if isinstance(e, EpochMetrics)]
    assert epochs == [2] and resumed[-1].step == 2 * STEPS_PER_EPOCH
    whole, part = _weights(tmp_path / "whole"), _weights(tmp_path / "part")
    for name in whole:
        assert torch.equal(whole[name], part[name]), (schedule, name)


def test_resume_with_nothing_left_to_train_says_so(tmp_path):
    _run(_project("one_cycle", 2), tmp_path / "a")
    with pytest.raises(
        ResumeError,
        match=r"already trained 2 epochs, so 1 epoch leaves nothing to train: "
        r"ask for more than 2 epochs",
    ):
        _run(_project("one_cycle", 1), tmp_path / "b", resume=tmp_path / "a")
    assert not (tmp_path / "b" / "last.json").exists()


def test_resume_with_a_larger_batch_size_still_continues(tmp_path):
    _run(_project("one_cycle", 3), tmp_path / "a", stop_after_step=STEPS_PER_EPOCH + 20)
    resumed = _run(_project("one_cycle", 3, batch_size=128), tmp_path / "b", resume=tmp_path / "a")
    assert resumed[-1].status == "completed" and resumed[0].start_epoch == 1
    assert [e.epoch for e in resumed if isinstance(e, EpochMetrics)] == [2, 3]


def test_resume_with_another_optimizer_warns_and_starts_its_state_afresh(tmp_path):
    _run(_project("constant", 1), tmp_path / "a")
    resumed = _run(tiny_project(epochs=2, optimizer="adam"), tmp_path / "b", resume=tmp_path / "a")
    assert isinstance(resumed[0], Started) and resumed[-1].status == "completed"
    notes = [e.message for e in resumed if type(e).__name__ == "RunWarning"]
    assert any(
        "trained with nesterov" in n and "adam optimizer starts with fresh state" in n
        for n in notes
    )
    assert isinstance(resumed[-1], Finished)
