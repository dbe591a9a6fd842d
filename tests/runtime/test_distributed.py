"""Distributed training under torchrun on CPUs (gloo): equal weights, failures, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from runtime.cli.distributed_launch import DistributedRunError, Launch, check_launch
from runtime.compile import build_model
from runtime.data.lazy import EpochOrder
from runtime.project import load_project
from runtime.training import read_checkpoint
from runtime.training.checkpoint import load_weights
from tests.runtime.distributed_helpers import (
    ROOT,
    children,
    convstudio,
    final_weights,
    lenet_project,
    rank_of,
)

multi_process = pytest.mark.distributed


@multi_process
def test_two_processes_equal_one_with_the_same_global_batch(tmp_path):
    two = lenet_project(batch_size=16).save(tmp_path / "two.json")
    one = lenet_project(batch_size=32).save(tmp_path / "one.json")
    said = []
    for path, n in ((two, "2"), (one, "1")):
        done = convstudio(
            "train", str(path), "--nproc-per-node", n, "--no-record", "--out", str(tmp_path / n)
        )
        assert done.returncode == 0, done.stderr
        said.append(done.stderr)
    assert "cpu × 2 processes (batch 16 each, 32 per update)" in said[0]
    a, b = final_weights(tmp_path / "2"), final_weights(tmp_path / "1")
    assert a.keys() == b.keys()
    for name in a:
        scale = b[name].abs().max().clamp_min(1e-12)
        assert float((a[name] - b[name]).abs().max() / scale) < 1e-5, name
    first = lenet_project().save(tmp_path / "check.json")
    model = build_model(load_project(first), 0)
    assert any(not torch.equal(model.state_dict()[k], a[k]) for k in a)  # it did train


@multi_process
def test_a_killed_rank_ends_the_run_with_one_line_and_the_checkpoint_loads(tmp_path):
    path = lenet_project(4000, epochs=30, batch_size=16).save(tmp_path / "long.json")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "runtime", "train", str(path), "--nproc-per-node", "2"]
        + ["--no-record", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 90
        while not (out / "last.json").exists():
            assert launcher.poll() is None, launcher.communicate()[1]
            assert time.monotonic() < deadline, "no checkpoint after 90 s"
            time.sleep(0.2)
        time.sleep(0.5)  # into the next epoch
        victim = next(p for p in children(launcher.pid) if rank_of(p) == 1)
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        _, err = launcher.communicate(timeout=60)
        took = time.monotonic() - killed
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert took < 30
    assert launcher.returncode == 1
    lines = [line for line in err.splitlines() if line.startswith("convstudio")]
    assert lines == [
        "convstudio: error: rank 1 was killed by SIGKILL; every other process was ended"
    ], err
    meta = read_checkpoint(out)
    model = build_model(load_project(path), 0)
    load_weights(meta, model)
    assert meta["processes"] == 2 and meta["epoch"] >= 1


@multi_process
def test_resume_two_processes_in_one_and_one_in_two(tmp_path):
    path = lenet_project(batch_size=16).save(tmp_path / "p.json")
    out = tmp_path / "out"
    runs = (
        ("--nproc-per-node", "2", "--epochs", "1"),
        ("--epochs", "2", "--resume", str(out)),  # one plain process
        ("--nproc-per-node", "2", "--epochs", "3", "--resume", str(out)),
    )
    for extra in runs:
        done = convstudio("train", str(path), "--no-record", "--out", str(out), *extra)
        assert done.returncode == 0, done.stderr
    epochs = [
        json.loads(line)["epoch"]
        for line in (out / "metrics.jsonl").read_text().splitlines()
        if '"kind": "epoch"' in line
    ]
    assert epochs == [1, 2, 3]
    meta = read_checkpoint(out)
    assert meta["epoch"] == 3 and meta["processes"] == 2


@multi_process
def test_a_rank_failing_in_setup_is_one_line_naming_it(tmp_path):
    path = lenet_project(batch_size=16, accumulate=999).save(tmp_path / "p.json")
    done = convstudio("train", str(path), "--nproc-per-node", "2", "--no-record")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convstudio: error: rank "), done.stderr
    assert "training setting 'accumulate'" in lines[0]


def test_sharded_epoch_order_covers_each_global_batch_once():
    whole = EpochOrder(100, 10, seed=3)
    whole.training(8, epoch=2)
    parts = []
    for rank in range(2):
        order = EpochOrder(100, 10, seed=3)
        order.shard(rank, 2)
        order.training(4, epoch=2)
        parts.append(list(order))
    assert len(parts[0]) == len(parts[1]) == len(list(whole)) == 12
    for batch, a, b in zip(whole, *parts):
        assert sorted(batch) == sorted(a + b)
    shares = []
    for rank in range(3):
        order = EpochOrder(100, 10, seed=3)
        order.shard(rank, 3)
        order.validation(3)
        assert len(order) == len(list(order))
        shares += [key for batch in order for key in batch]
    assert sorted(shares) == [(1, i, 0) for i in range(10)]


def test_launch_options_are_checked_before_anything_starts(tmp_path):
    class Args:
        nproc_per_node, nnodes, node_rank, rdzv_endpoint, collective_timeout = 2, 1, 0, None, 60.0

    assert check_launch(Args()) == Launch(2)
    for change, words in (
        ({"nproc_per_node": 0}, "at least 1"),
        ({"nnodes": 2}, "--rdzv-endpoint"),
        ({"nnodes": 2, "node_rank": 2, "rdzv_endpoint": "h:1"}, "--node-rank 2"),
        ({"rdzv_endpoint": "nohost"}, "HOST:PORT"),
        ({"nproc_per_node": None, "nnodes": 3}, "need --nproc-per-node"),
    ):
        args = Args()
        for key, value in change.items():
            setattr(args, key, value)
        with pytest.raises(DistributedRunError, match=words):
            check_launch(args)
