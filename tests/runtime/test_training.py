"""The training loop: events, settings, every optimizer/schedule/loss, stop, NaN diagnosis,
checkpoints, export."""

import importlib.util
import json
import threading

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from runtime.codegen.trained import export_trained
from runtime.compile import build_model
from runtime.training import (
    Control,
    EpochMetrics,
    FeatureMaps,
    Filters,
    Finished,
    Histograms,
    SettingsError,
    Started,
    StepMetrics,
    parse_training,
    train,
)
from runtime.training.settings import OPTIMIZERS, SCHEDULES
from tests.runtime.training_helpers import tiny_project


def _events(project, **kw):
    return list(train(project, **kw))


def test_tiny_run_yields_every_kind_of_event_and_learns():
    events = _events(tiny_project(epochs=3))
    kinds = {type(e) for e in events}
    assert isinstance(events[0], Started) and isinstance(events[-1], Finished)
    assert {StepMetrics, EpochMetrics, FeatureMaps, Filters, Histograms} <= kinds
    epochs = [e for e in events if isinstance(e, EpochMetrics)]
    assert [e.epoch for e in epochs] == [1, 2, 3] and epochs[-1].val_accuracy > 0.6
    assert (
        epochs[-1].confusion.shape == (10, 10) and epochs[-1].confusion.sum() == events[0].val_size
    )
    assert events[-1].status == "completed" and events[-1].best_val_accuracy == max(
        e.val_accuracy for e in epochs
    )
    filters = next(e for e in events if isinstance(e, Filters))
    assert (
        filters.layer == "conv1"
        and filters.mosaic.dtype == np.uint8
        and filters.mosaic.shape == (7, 7)
    )


def test_probe_follows_the_requested_layer():
    control = Control()
    control.set_probe_layer("relu1")
    maps = [e for e in train(tiny_project(), control) if isinstance(e, FeatureMaps)]
    assert maps and all(m.layer == "relu1" and m.shape == (4, 8, 8) for m in maps)
    control.set_probe_layer("head")
    head = next(e for e in train(tiny_project(), control) if isinstance(e, FeatureMaps))
    assert head.shape == (10,) and head.mosaic.shape == (4, 4)


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"optimizer": "adamm"}, "'optimizer': expected one of sgd"),
        ({"lr": -1}, "'lr': must be at least"),
        ({"batch_size": 2.5}, "'batch_size': expected a whole number"),
        ({"compile": "yes"}, "'compile': expected true or false"),
        ({"learning_rate": 0.1}, "'learning_rate': is not a training setting"),
    ],
)
def test_bad_settings_are_named(raw, message):
    with pytest.raises(SettingsError, match=message):
        parse_training(raw)


def test_defaults_fill_missing_settings():
    s = parse_training({}, epochs=3)
    assert s.epochs == 3 and s.optimizer == "nesterov" and s.batch_size == 32 and s.device == "auto"


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_trains(optimizer):
    lr = (
        1.0
        if optimizer == "adadelta"
        else 0.05
        if optimizer in ("sgd", "momentum", "nesterov", "adagrad")
        else 0.01
    )
    end = _events(tiny_project(optimizer=optimizer, lr=lr, epochs=2))[-1]
    assert end.status == "completed" and end.best_val_accuracy > 0.3


@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("loss", ["cross_entropy", "hinge", "focal"])
def test_schedules_and_losses_run(schedule, loss):
    events = _events(
        tiny_project(schedule=schedule, loss=loss, label_smoothing=0.1, epochs=2, step_epochs=1)
    )
    lrs = [e.lr for e in events if isinstance(e, EpochMetrics)]
    assert events[-1].status == "completed" and len(lrs) == 2
    if schedule in ("step", "cosine", "one_cycle"):
        assert lrs[-1] < 0.01


@pytest.mark.parametrize("init", ["gaussian", "xavier", "kaiming"])
def test_initialisations(init):
    project = tiny_project(init=init, init_std=0.5)
    events = _events(project, epochs=1)
    assert events[-1].status == "completed"
    from runtime.training.setup import prepare

    weight = prepare(project).model.conv1.weight
    if init == "gaussian":
        assert 0.3 < float(weight.detach().std()) < 0.7


def test_stop_ends_the_run_promptly():
    control = Control()
    events = []
    for event in train(tiny_project(epochs=50), control):
        events.append(event)
        if isinstance(event, StepMetrics):
            control.request_stop()
    assert events[-1].status == "stopped" and sum(isinstance(e, StepMetrics) for e in events) == 1


def test_pause_blocks_until_resumed():
    control = Control()
    control.pause()
    events = train(tiny_project(), control)
    assert isinstance(next(events), Started)
    threading.Timer(0.3, control.resume).start()
    first = next(e for e in events if isinstance(e, StepMetrics))
    assert first.elapsed_s >= 0.25


def test_absurd_learning_rate_stops_with_step_and_layer():
    end = _events(
        tiny_project(optimizer="sgd", lr=9.0, momentum=0.0, init="gaussian", init_std=5.0, epochs=5)
    )[-1]
    assert end.status == "failed"
    assert "loss became non-finite at step" in end.message and "layer '" in end.message
    assert "learning rate is too high" in end.message


def test_checkpoint_resume_and_best(tmp_path):
    events = _events(tiny_project(epochs=1), out_dir=tmp_path)
    named = json.loads((tmp_path / "last.json").read_text())["weights"]
    assert (tmp_path / named).exists() and (tmp_path / "best.json").exists()
    assert events[-1].checkpoint == str(tmp_path / "last.json")
    resumed = _events(
        tiny_project(epochs=2), out_dir=tmp_path / "more", resume=tmp_path / "last.json"
    )
    assert resumed[0].start_epoch == 1
    assert [e.epoch for e in resumed if isinstance(e, EpochMetrics)] == [2]


def test_exported_module_loads_trained_weights(tmp_path):
    project = tiny_project(epochs=1)
    _events(project, out_dir=tmp_path / "run")
    code, weights = export_trained(project, tmp_path / "run" / "best.json", tmp_path / "export")
    spec = importlib.util.spec_from_file_location("tiny_export", code)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    exported = module.TinyNet().eval()
    state = load_file(str(weights))
    exported.load_state_dict(state, strict=True)
    compiled = build_model(project)
    compiled.load_state_dict(state, strict=True)
    x = torch.randn(3, 1, 8, 8)
    assert torch.allclose(exported(x), compiled.eval()(x))


def test_bad_data_is_reported_before_training(tmp_path):
    project = tiny_project()
    project.data = {"source": "folder", "path": str(tmp_path)}
    with pytest.raises(Exception, match="holds no class sub-folders"):
        next(train(project))
    project.data = {"source": "mnist"}
    with pytest.raises(Exception, match="1×28×28 images but the network's input is 1×8×8"):
        next(train(project))


@pytest.mark.parametrize("on_device", [False, True])
def test_tally_matches_a_direct_count(on_device):
    from runtime.training.loop import FOLD_STEPS, _Tally

    tally = _Tally(torch.device("cpu"))
    if on_device:  # the GPU path (loss tensors and counts kept on the device), exercised on the CPU
        tally.on_device, tally.sums = True, torch.zeros(3)
    gen = torch.Generator().manual_seed(0)
    for steps in (FOLD_STEPS * 2 + 3, 1, 0):
        loss_sum, correct = 0.0, 0
        for _ in range(steps):
            logits, labels = (
                torch.randn(8, 5, generator=gen),
                torch.randint(0, 5, (8,), generator=gen),
            )
            loss = torch.rand((), generator=gen)
            tally.add(loss if on_device else loss.item(), logits, labels)
            loss_sum, correct = (
                loss_sum + loss.item(),
                correct + int((logits.argmax(1) == labels).sum()),
            )
        got_loss, got_correct, got_counted = tally.read()
        assert got_loss == pytest.approx(loss_sum, rel=1e-6) and got_correct == correct
        assert got_counted == 8 * steps
