"""--trust-code: commands that would run a project's (or an import source's) Python code refuse
without it, on one line that says so."""

from pathlib import Path

import pytest

from runtime.cli import main
from runtime.graph import Graph
from runtime.project import Project

MODULE = """
import torch
from torch import nn

RAN = []


class Gate(nn.Module):
    def __init__(self, channels):
        super().__init__()
        RAN.append(channels)
        self.scale = nn.Parameter(torch.ones(channels, 1, 1))

    def forward(self, x):
        return x * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.gate = Gate(4)
        self.head = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.gate(self.conv(x)), 1))
"""


def _module_file(tmp_path: Path) -> Path:
    path = tmp_path / "my_models.py"
    path.write_text(MODULE, encoding="utf-8")
    return path


def _project(tmp_path: Path) -> Path:
    reference = f"{_module_file(tmp_path)}:Gate"
    g = Graph()
    nodes = [
        g.add_node("input", name="image"),
        g.add_node("conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}, name="conv"),
        g.add_node("custom_module", {"module": reference, "args": "[4]"}, name="gate"),
        g.add_node("output", {"num_classes": 10}, name="head"),
    ]
    for a, b in zip(nodes, nodes[1:]):
        g.connect(a.id, b.id)
    project = Project(g, (1, 8, 8), "Gated", data={"source": "digits"})
    return project.save(tmp_path / "gated.json")


@pytest.mark.parametrize(
    "command",
    [
        ["train", "{project}", "--epochs", "1"],
        ["weights", "{project}", "--load", "{project}"],
        ["export", "{project}", "-o", "{folder}/gated.onnx"],
        ["ablate", "{project}", "--weights", "{folder}/w.safetensors"],
    ],
)
def test_commands_refuse_a_projects_code_without_the_flag(tmp_path, capsys, command):
    project = _project(tmp_path)
    args = [a.format(project=project, folder=tmp_path) for a in command]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert f"{project}: its custom modules run Python code from {tmp_path / 'my_models.py'}" in err
    assert "pass --trust-code to run it with your permissions" in err
    assert not list(tmp_path.glob("gated-training*")) and not (tmp_path / "gated.onnx").exists()


def test_the_flag_runs_the_code(tmp_path, capsys):
    project = _project(tmp_path)
    out = tmp_path / "gated.onnx"
    assert main(["export", str(project), "-o", str(out), "--trust-code"]) == 0
    assert out.is_file()


def test_import_of_python_code_needs_the_flag(tmp_path, capsys):
    source = f"{_module_file(tmp_path)}:Net"
    out = tmp_path / "net.json"
    assert main(["import", source, "-o", str(out), "--input", "1x8x8"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "importing runs this Python code" in err
    assert "--trust-code" in err and not out.exists()
    assert main(["import", source, "-o", str(out), "--input", "1x8x8", "--trust-code"]) == 0
    assert out.is_file()
