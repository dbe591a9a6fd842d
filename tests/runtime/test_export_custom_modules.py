"""Custom module nodes in exported code: checked import lines, aliased names, literal arguments."""

import subprocess
import sys

import pytest

from blocks.custom import trust
from runtime.codegen.errors import ExportError
from runtime.python_export import export_python, python_source
from runtime.graph import Graph
from runtime.project import Project

MODULE = """
import torch
from torch import nn


class F(nn.Module):
    def __init__(self, channels, options=None):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(channels, 1, 1))
        self.options = options

    def forward(self, x):
        return x * self.scale
"""


def _project(tmp_path, filename, name="Net"):
    path = tmp_path / filename
    path.write_text(MODULE, encoding="utf-8")
    reference = f"{path}:F"
    trust(reference)
    g = Graph()
    inp = g.add_node("input", name="image").id
    custom = g.add_node(
        "custom_module",
        {"module": reference, "args": "[3]", "kwargs": '{"options": {"a\\"b": [1, 2.5, null]}}'},
        name="gate",
    ).id
    up = g.add_node("custom_module", {"module": "torch.nn:Identity"}, name="same").id
    head = g.add_node("output", {"num_classes": 4}, name="head").id
    for a, b in ((inp, custom), (custom, up), (up, head)):
        g.connect(a, b)
    return Project(g, (3, 8, 8), name), custom


def test_a_user_class_named_like_the_files_own_names_is_imported_under_an_alias(tmp_path):
    project, _ = _project(tmp_path, "mods.py")
    out = export_python(project, tmp_path / "net.py")
    text = out.read_text(encoding="utf-8")
    assert "from mods import F as F_user\n" in text
    assert "self.gate = F_user(3, options={'a\"b': [1, 2.5, None]})" in text
    assert "self.same = nn.Identity()" in text
    assert "Needs PyTorch and the user's own mods.py (importable from here)" in text
    result = subprocess.run(
        [sys.executable, "-B", str(out)],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "torch.Size([1, 4])" in result.stdout


def test_a_user_file_name_that_cannot_be_imported_is_refused_naming_the_node(tmp_path):
    project, node_id = _project(tmp_path, "my mods.py")
    with pytest.raises(ExportError, match="my mods.py' cannot be imported by exported") as info:
        python_source(project)
    assert info.value.node_id == node_id and "\n" not in str(info.value)


@pytest.mark.parametrize("target", ["mods.py", "MODS.py", "sub/mods.py"])
def test_an_export_named_like_the_users_own_module_is_refused_and_the_module_kept(tmp_path, target):
    project, _ = _project(tmp_path, "mods.py")
    out = tmp_path / target
    out.parent.mkdir(exist_ok=True)
    before = (tmp_path / "mods.py").read_bytes()
    with pytest.raises(ExportError, match="'mods', the project's own module") as info:
        export_python(project, out)
    assert "\n" not in str(info.value) and target.split("/")[-1] in str(info.value)
    assert (tmp_path / "mods.py").read_bytes() == before
    assert target == "mods.py" or not out.exists()


def test_a_dotted_user_package_is_protected_by_its_top_level_name(tmp_path):
    project, node_id = _project(tmp_path, "mods.py")
    project.graph.nodes[node_id].params["module"] = "mylib.layers:F"
    with pytest.raises(ExportError, match="'mylib', the project's own module"):
        export_python(project, tmp_path / "mylib.py")


def test_the_trained_export_takes_another_default_name_than_the_users_module(tmp_path):
    from runtime.codegen.trained import module_stem

    project, _ = _project(tmp_path, "net.py", name="Net")
    assert module_stem(project) == "net_model"
