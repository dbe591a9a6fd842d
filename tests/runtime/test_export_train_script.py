"""`convstudio export --format train-script`: a torch-only train.py that reproduces the app's
run."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

from runtime.cli import main
from runtime.codegen.errors import ExportError
from runtime.codegen.train_script import export_train_script
from runtime.training import EpochMetrics, train
from tests.runtime.training_helpers import tiny_project

BLOCKED = {"numpy", "safetensors", "PIL", "runtime", "blocks", "studio", "onnx", "onnxruntime"}
"""What the exported script must run without (numpy and Pillow included: data is in-memory)."""
TORCH_ONLY = f"""
import importlib.abc, importlib.machinery, sys


class _Missing(importlib.abc.Loader):
    def create_module(self, spec):
        raise ModuleNotFoundError(f"No module named {{spec.name!r}} (torch-only)", name=spec.name)

    def exec_module(self, module):
        pass


class _OnlyTorch:
    # a spec without origin that fails to load: torch's optional-import probes see no numpy
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {sorted(BLOCKED)!r}:
            return importlib.machinery.ModuleSpec(name, _Missing(), origin=None)
        return None


sys.meta_path.insert(0, _OnlyTorch())
"""
RUN_TRAIN = "import runpy, sys; sys.argv = ['train.py', '--epochs', '1']; sys.path.insert(0, '.'); "
RUN_TRAIN += "runpy.run_path('train.py', run_name='__main__')"


def augmented_project(**training):
    """The tiny digits project with crop and flip augmentation and a one-cycle schedule."""
    project = tiny_project(schedule="one_cycle", optimizer="nesterov", lr=0.05, **training)
    project.data = {
        "source": "digits",
        "validation": 0.2,
        "augment": {"crop_padding": 1, "flip": True},
    }
    return project


def test_train_py_alone_reproduces_the_app_loss(tmp_path):
    project = augmented_project()
    path = project.save(tmp_path / "tiny.json")
    assert main(["export", str(path), "--format", "train-script", "-o", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} >= {"model.py", "train.py", "README.md", "data.pt"}
    done = subprocess.run(
        [sys.executable, "-I", "-B", "-c", TORCH_ONLY + RUN_TRAIN],
        capture_output=True,
        text=True,
        cwd=out,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    script = json.loads(done.stdout.strip().splitlines()[-1])
    app = next(e for e in train(project, epochs=1) if isinstance(e, EpochMetrics))
    assert abs(script["train_loss"] - app.train_loss) < 1e-4
    assert abs(script["val_loss"] - app.val_loss) < 1e-4
    assert (out / "run" / "trained.pt").exists()


@pytest.mark.distributed
def test_train_py_runs_under_torchrun_in_a_torch_only_interpreter(tmp_path):
    export_train_script(augmented_project(), tmp_path)
    (tmp_path / "blocked_train.py").write_text(TORCH_ONLY + "\n" + RUN_TRAIN + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-I", "-m", "torch.distributed.run", "--standalone"]
        + ["--nproc-per-node", "2", "blocked_train.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(env, OMP_NUM_THREADS="1"),
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(records) == 1 and records[0]["processes"] == 2  # rank 0 alone reports
    assert records[0]["val_accuracy"] > 0.1


def test_user_strings_stay_literals(tmp_path):
    evil = 'x"""\nimport os\nos.system("echo owned")\n"""'
    project = tiny_project()
    project.name = evil
    export_train_script(project, tmp_path)
    tree = ast.parse((tmp_path / "train.py").read_text())
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "Import", "ImportFrom", "Assign", "FunctionDef", "ClassDef", "If"}
    bare = [n.value for n in tree.body if isinstance(n, ast.Expr)]
    assert all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in bare)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert not any(getattr(c.func, "attr", "") == "system" for c in calls)
    assert evil.replace("\n", "") not in (tmp_path / "README.md").read_text().replace("\n", "")


def test_settings_it_cannot_reproduce_are_refused_in_one_line(tmp_path):
    with pytest.raises(ExportError, match="'head_epochs'"):
        export_train_script(tiny_project(head_epochs=1), tmp_path)
