"""Checkpoints under attack and accident: tampered fields, wrong tensors, a full disk, and a writer
that
fails or is killed at every point of a save (the last good checkpoint must always resume)."""

import errno
import json
import math
import os
import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from runtime import atomic_write
from runtime.errors import ConvStudioError, WriteError
from runtime.training import Control, EpochMetrics, Finished, train
from runtime.training.checkpoint import read_checkpoint
from runtime.training.loop import _Run
from runtime.training.setup import prepare
from tests.runtime.training_helpers import tiny_project


def _project(epochs=1):
    return tiny_project(epochs=epochs, optimizer="adam", schedule="one_cycle")


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A folder holding the checkpoint of a finished one-epoch run."""
    folder = tmp_path_factory.mktemp("good")
    assert list(train(_project(), out_dir=folder))[-1].status == "completed"
    return folder


def _copy(good, tmp_path):
    folder = tmp_path / "ckpt"
    shutil.copytree(good, folder)
    return folder


def _resume_error(folder, epochs=2) -> str:
    with pytest.raises(ConvStudioError) as info:
        list(train(_project(epochs), resume=folder))
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def _tamper(folder, **fields):
    meta = json.loads((folder / "last.json").read_text())
    for key, value in fields.items():
        if "." in key:
            outer, inner = key.split(".")
            meta[outer][inner] = value
        else:
            meta[key] = value
    (folder / "last.json").write_text(json.dumps(meta))


TAMPERED = [
    ({"epoch": -1}, "'epoch' must be a whole number"),
    ({"epoch": "1"}, "'epoch' must be a whole number"),
    ({"epoch": 1.5}, "'epoch'"),
    ({"epoch": True}, "'epoch'"),
    ({"epoch": 10**30}, "'epoch'"),
    ({"epoch": None}, "'epoch'"),
    ({"step": -3}, "'step'"),
    ({"step": [1]}, "'step'"),
    ({"epoch_step": "x"}, "'epoch_step'"),
    ({"weights": "../../etc/passwd"}, "'weights' must name a .safetensors file"),
    ({"weights": "/etc/passwd.safetensors"}, "'weights'"),
    ({"weights": ""}, "'weights'"),
    ({"weights": 7}, "'weights'"),
    ({"weights": "last.json"}, "'weights'"),
    ({"weights": "a/../b.safetensors"}, "'weights'"),
    ({"weights": "missing.safetensors"}, "weights file does not exist"),
    ({"optimizer": 5}, "'optimizer' must be an object"),
    ({"optimizer": []}, "'optimizer'"),
    ({"optimizer.tensors": "../x.safetensors"}, "'optimizer.tensors'"),
    ({"optimizer.tensors": "gone.safetensors"}, "optimizer state file does not exist"),
    ({"optimizer.param_groups": "all"}, "'optimizer.param_groups' must be a non-empty list"),
    ({"optimizer.param_groups": []}, "'optimizer.param_groups'"),
    (
        {"optimizer.param_groups": [{"params": "all", "lr": 0.1}]},
        "'params' must list parameter numbers",
    ),
    ({"optimizer.param_groups": [{"params": [0, 1], "lr": -1}]}, "'lr' must be a number"),
    ({"optimizer.param_groups": [{"params": [0, 1], "lr": 0.1}]}, "different set of parameters"),
    (
        {"optimizer.param_groups": [{"params": [0, 1, 2, 9], "lr": 0.1}]},
        "different set of parameters",
    ),
    ({"optimizer.plain": [1]}, "'optimizer.plain'"),
    ({"optimizer.plain": {"0.exp_avg": "x"}}, "'0.exp_avg'"),
    ({"optimizer.plain": {"99.step": 1}}, "'99.step'"),
    ({"scheduler": "fast"}, "'scheduler' must be an object"),
    ({"scheduler": [1, 2]}, "'scheduler'"),
    ({"settings": 3}, "'settings'"),
    ({"best_val_accuracy": "high"}, "'best_val_accuracy' must be a fraction"),
    ({"best_val_accuracy": 2.0}, "'best_val_accuracy'"),
    ({"best_val_accuracy": -0.1}, "'best_val_accuracy'"),
    ({"best_val_accuracy": math.nan}, "'best_val_accuracy'"),
    ({"rng": "zz"}, "'rng' must be hexadecimal"),
    ({"rng": 12}, "'rng'"),
]


@pytest.mark.parametrize("fields,message", TAMPERED, ids=[str(i) for i in range(len(TAMPERED))])
def test_tampered_fields_are_one_line_naming_the_field(good, tmp_path, fields, message):
    folder = _copy(good, tmp_path)
    _tamper(folder, **fields)
    text = _resume_error(folder)
    assert message in text and ("last.json" in text or "safetensors" in text)


def test_a_generator_state_from_another_device_only_warns(good, tmp_path):
    folder = _copy(good, tmp_path)
    _tamper(folder, rng="abcd")
    events = list(train(_project(2), resume=folder))
    assert events[-1].status == "completed"
    assert any("shuffling state does not fit" in getattr(e, "message", "") for e in events[:-1])


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "not valid JSON"),
        (b'{"weights": "last-1-aaaaaa.safe', "not valid JSON"),
        (b"[1, 2]", "no 'weights'"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[" * 100000 + b"]" * 100000, "not valid JSON"),
        (b'{"weights": "w.safetensors"}', "no 'epoch' field"),
    ],
)
def test_damaged_json_is_one_line(good, tmp_path, content, message):
    folder = _copy(good, tmp_path)
    (folder / "last.json").write_bytes(content)
    assert message in _resume_error(folder)


def test_checkpoint_that_is_a_pipe_or_folder_is_refused_without_hanging(good, tmp_path):
    folder = _copy(good, tmp_path)
    (folder / "last.json").unlink()
    os.mkfifo(folder / "last.json")
    assert "must be a regular file" in _resume_error(folder)
    assert "must be a regular file" in _resume_error(folder / "last.json")


def _rewrite_tensors(folder, key, change):
    meta = json.loads((folder / "last.json").read_text())
    name = meta["weights"] if key == "weights" else meta["optimizer"]["tensors"]
    tensors = load_file(str(folder / name))
    change(tensors)
    save_file(tensors, str(folder / name))


@pytest.mark.parametrize(
    "key,change,message",
    [
        (
            "weights",
            lambda t: t.update({"conv1.weight": torch.zeros(5, 1, 3, 3)}),
            "'conv1.weight' has shape 5×1×3×3 here but 4×1×3×3 in the network",
        ),
        (
            "weights",
            lambda t: t.update({"head.fc.bias": torch.zeros(3)}),
            "'head.fc.bias' has shape 3 here but 10",
        ),
        (
            "weights",
            lambda t: t.pop("conv1.bias"),
            "weights do not match the network (e.g. 'conv1.bias')",
        ),
        (
            "weights",
            lambda t: t.update({"extra": torch.zeros(1)}),
            "weights do not match the network (e.g. 'extra')",
        ),
        (
            "weights",
            lambda t: t["conv1.weight"].fill_(math.nan),
            "'conv1.weight' holds NaN or infinite values",
        ),
        (
            "weights",
            lambda t: t.update({"conv1.weight": torch.zeros(4, 1, 3, 3, dtype=torch.int64)}),
            "int64",
        ),
        (
            "optimizer",
            lambda t: t.update({"0.exp_avg": torch.zeros(7)}),
            "optimizer state '0.exp_avg' has shape 7 but its parameter has 4×1×3×3",
        ),
        (
            "optimizer",
            lambda t: t.update({"1.exp_avg_sq": torch.zeros(())}),
            "'1.exp_avg_sq' has shape a number",
        ),
        ("optimizer", lambda t: t.update({"0.step": torch.zeros(2, 2)}), "'0.step' has shape 2×2"),
        (
            "optimizer",
            lambda t: t.update({"0.bogus": torch.zeros(1)}),
            "'0.bogus', which the Adam optimizer",
        ),
        (
            "optimizer",
            lambda t: t.pop("2.exp_avg"),
            "optimizer state of parameter 2 lacks 'exp_avg'",
        ),
        ("optimizer", lambda t: t["0.exp_avg"].fill_(math.inf), "'0.exp_avg' must hold finite"),
    ],
)
def test_wrong_tensors_are_one_line(good, tmp_path, key, change, message):
    folder = _copy(good, tmp_path)
    _rewrite_tensors(folder, key, change)
    assert message in _resume_error(folder)


def test_truncated_tensor_file_is_one_line(good, tmp_path):
    folder = _copy(good, tmp_path)
    meta = json.loads((folder / "last.json").read_text())
    path = folder / meta["weights"]
    path.write_bytes(path.read_bytes()[:200])
    assert "weights cannot be read" in _resume_error(folder)


def test_full_disk_during_a_checkpoint_fails_cleanly_and_keeps_the_last_good_one(
    tmp_path, monkeypatch
):
    out = tmp_path / "run"
    real_write = os.write
    full = {"on": False}

    def write(fd, data):
        if full["on"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    events = []
    for event in train(_project(3), out_dir=out):
        events.append(event)
        if isinstance(event, EpochMetrics):
            full["on"] = True
    monkeypatch.undo()
    end = events[-1]
    assert isinstance(end, Finished) and end.status == "failed"
    assert (
        "a checkpoint could not be written" in end.message
        and "No space left on device" in end.message
    )
    assert f"the last good checkpoint, {out / 'last.json'}, is intact" in end.message
    assert read_checkpoint(out)["epoch"] == 1
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    resumed = list(train(_project(2), out_dir=tmp_path / "more", resume=out))
    assert resumed[-1].status == "completed"


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it should matter (the folder is judged as it was at that
    instant)."""


class FaultInjector:
    """Counts the file operations of a save and fails (OSError) or 'kills' the writer at one of
    them.

    A kill copies the folder exactly as it is at that instant (before the operation, or after half
    of
    a write), which is what a real kill would leave on disk."""

    NAMES = ("open", "write", "fsync", "replace", "unlink", "chmod", "close")

    def __init__(self, monkeypatch, folder, at=None, mode="fail", snapshot=None):
        self.count, self.at, self.mode, self.folder, self.snapshot = 0, at, mode, folder, snapshot
        self.real = {name: getattr(os, name) for name in self.NAMES}
        for name in self.NAMES:
            monkeypatch.setattr(os, name, self._wrap(name))

    def _wrap(self, name):
        real = self.real[name]

        def call(*args, **kwargs):
            self.count += 1
            if self.count - 1 == self.at:
                if name == "write" and len(args[1]) > 1:
                    real(args[0], bytes(args[1][: len(args[1]) // 2]))  # a torn write
                if self.mode == "kill":
                    self._copy_folder()
                    raise Killed()
                raise OSError(
                    errno.EIO if name == "fsync" else errno.ENOSPC, f"injected failure in {name}"
                )
            return real(*args, **kwargs)

        return call

    def _copy_folder(self):
        for name in self.NAMES:  # copy with the real functions
            setattr(os, name, self.real[name])
        shutil.copytree(self.folder, self.snapshot)


def _prepared_run(good):
    """A run holding epoch-2-like state (weights changed) that will save over the good
    checkpoint."""
    run = _Run(prepare(_project(3)), Control(), None)
    run.resume_from(good)
    with torch.no_grad():
        for p in run.s.model.parameters():
            p.add_(1.0)
    run.epoch, run.step = 2, run.step + 22
    return run


def _state(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_a_writer_failing_or_killed_at_every_point_always_leaves_a_resumable_checkpoint(
    good, tmp_path, monkeypatch
):
    monkeypatch.setattr(atomic_write, "CHUNK", 2048)  # more, smaller writes: more points to fail at
    run = _prepared_run(good)
    new_state = _state(run.s.model)
    old_state = dict(load_file(str(good / read_checkpoint(good)["weights"])))
    checker = _Run(prepare(_project(3)), Control(), None)

    counting = _copy(good, tmp_path / "count")
    run.out_dir = counting
    with monkeypatch.context() as m:
        injector = FaultInjector(m, counting)
        run.save("best")
        run.save("last")
    points = injector.count
    assert points >= 60

    cases = 0
    for mode in ("fail", "kill"):
        for at in range(points + 1):
            folder = _copy(good, tmp_path / f"{mode}{at}")
            snapshot = tmp_path / f"{mode}{at}-at-kill"
            run.out_dir = folder
            raised = None
            with monkeypatch.context() as m:
                FaultInjector(m, folder, at, mode, snapshot)
                try:
                    run.save("best")
                    run.save("last")
                except (WriteError, Killed) as exc:
                    raised = exc
            if mode == "fail" and raised is not None:
                assert isinstance(raised, WriteError) and "\n" not in str(raised)
            judged = snapshot if mode == "kill" and raised is not None else folder
            for stem in ("last", "best"):
                checker.resume_from(judged / f"{stem}.json")
                loaded = _state(checker.s.model)
                expected = new_state if checker.epoch == 2 else old_state
                assert checker.epoch in (1, 2), (mode, at, stem)
                for name, value in expected.items():
                    assert torch.equal(loaded[name], value), (mode, at, stem, name)
            cases += 1
            if at % 37 == 0:  # now and then, train on from it for real
                resumed = list(train(_project(3), resume=judged))
                assert resumed[-1].status == "completed", (mode, at)
            shutil.rmtree(folder)
            shutil.rmtree(snapshot, ignore_errors=True)
    assert cases >= 200
    print(f"{points} file operations per save pair, {cases} injected failures and kills")
