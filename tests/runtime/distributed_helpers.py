"""Projects and launches for the multi-process training tests (torchrun on CPUs, gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from safetensors.torch import load_file

from runtime.project import Project
from runtime.zoo.classic import lenet5

ROOT = Path(__file__).resolve().parents[2]


def lenet_project(train_size: int = 500, **training) -> Project:
    """LeNet-5 on `train_size` bundled MNIST digits (the rest validates), plain SGD, no
    augmentation: one epoch takes a second or two per process."""
    project = lenet5()
    project.data = {
        "source": "mnist",
        "validation": 5000 - train_size,
        "augment": {"crop_padding": 0, "flip": False},
    }
    project.training = {
        "epochs": 1,
        "batch_size": 32,
        "optimizer": "sgd",
        "lr": 0.05,
        "schedule": "constant",
        "label_smoothing": 0.0,
        "log_every": 5,
        "device": "cpu",
        "threads": 1,
        **training,
    }
    return project


def convstudio(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m runtime ARGS` in a fresh interpreter (this checkout first on the path)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, "-m", "runtime", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


def final_weights(out: Path) -> dict:
    """The weights of the last checkpoint in `out`."""
    meta = json.loads((out / "last.json").read_text())
    return load_file(str(out / meta["weights"]))


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def rank_of(pid: int) -> int | None:
    """The RANK torchrun gave process `pid` (None when it has none or is gone)."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    for item in environ:
        if item.startswith(b"RANK="):
            return int(item[5:])
    return None
