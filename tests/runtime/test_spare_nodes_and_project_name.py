"""A spare node off the Input → Output path is a warning and is left out; project names are
checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.analysis import analyze
from runtime.compile import build_model
from runtime.edits import RenameProject
from runtime.errors import ProjectNameError
from runtime.naming import file_stem
from runtime.project import load_project

LENET = Path(__file__).resolve().parents[2] / "assets" / "templates" / "lenet5.json"


def test_spare_nodes_become_warnings_and_are_not_counted():
    project = load_project(LENET)
    base = analyze(project)
    lonely = project.graph.add_node("conv2d")
    dead_end = project.graph.add_node("relu")
    project.graph.connect(project.graph.by_name("conv1").id, dead_end.id)
    result = analyze(project)
    assert result.problems == []
    assert {w.node_id for w in result.warnings} == {lonely.id, dead_end.id}
    assert "needs an input" in next(w.message for w in result.warnings if w.node_id == lonely.id)
    assert (result.params, result.macs) == (base.params, base.macs)
    model = build_model(project)
    assert sum(p.numel() for p in model.parameters()) == base.params


def test_a_node_feeding_the_output_stays_an_error():
    project = load_project(LENET)
    graph = project.graph
    add = graph.add_node("add")
    stray = graph.add_node("conv2d")
    act = next(n for n in graph.nodes.values() if n.block == "tanh")
    after = graph.consumers(act.id)[0]
    graph.disconnect(after)
    graph.connect(act.id, add.id)
    graph.connect(stray.id, add.id)
    graph.connect(add.id, after.dst, after.port)
    result = analyze(project)
    assert any(p.node_id == stray.id for p in result.problems)


def test_project_names_are_checked_and_renaming_is_undoable():
    project = load_project(LENET)
    edit = RenameProject("  My Net ")
    edit.apply(project)
    assert project.name == "My Net"
    edit.revert(project)
    assert project.name == "LeNet-5"
    for bad in ("", "   ", "a\nb", "x" * 201):
        with pytest.raises(ProjectNameError):
            RenameProject(bad).apply(project)
    assert project.name == "LeNet-5"


def test_file_stem():
    assert file_stem("LeNet-5") == "lenet_5"
    assert file_stem("3D net") == "network_3d_net"
    assert file_stem("!!!") == "network"
