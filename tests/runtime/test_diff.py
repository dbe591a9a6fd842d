"""Graph diff on hand-made pairs: nodes matched by name; identical graphs give an empty diff."""

import json

from runtime.cli import main
from runtime.graph import Graph
from runtime.project import Project
from runtime.runs.diff import Side, diff_projects
from tests.runtime.training_helpers import tiny_project


def _pair():
    a = tiny_project()
    b = tiny_project()
    g = b.graph
    g.set_params(g.by_name("conv1").id, {"out_channels": 8, "kernel_size": 5, "padding": 2})
    relu, head = g.by_name("relu1"), g.by_name("head")
    for edge in list(g.consumers(relu.id)):
        g.disconnect(edge)
    drop = g.add_node("dropout", name="drop")
    g.connect(relu.id, drop.id)
    g.connect(drop.id, head.id)
    return a, b


def test_identical_graphs_give_an_empty_diff():
    diff = diff_projects(Side("a", tiny_project()), Side("b", tiny_project()))
    assert diff.empty and not diff.added and not diff.removed and not diff.changed
    assert diff.deltas() == {"params": 0, "macs": 0, "receptive_field": 0, "accuracy": None}
    assert "the graphs are identical" in diff.lines()


def test_added_removed_changed_and_figures():
    a, b = _pair()
    diff = diff_projects(Side("a", a, 0.5), Side("b", b, 0.75))
    assert diff.added == {"drop": "dropout"} and diff.removed == {}
    by_name = {c.name: c for c in diff.changed}
    assert set(by_name) == {"conv1", "head"}
    assert by_name["conv1"].params == {
        "out_channels": (4, 8),
        "kernel_size": (3, 5),
        "padding": (1, 2),
    }
    assert by_name["head"].params == {} and by_name["head"].inputs == (("relu1",), ("drop",))
    d = diff.deltas()
    # conv 4@3×3 (40 params) → 8@5×5 (208); head 256·10+10 → 512·10+10
    assert d["params"] == (208 - 40) + (5130 - 2570)
    assert d["receptive_field"] == 2 and d["accuracy"] == 0.25
    reverse = diff_projects(Side("b", b), Side("a", a))
    assert reverse.removed == {"drop": "dropout"} and reverse.deltas()["params"] == -d["params"]


def test_a_renamed_node_is_removed_and_added_and_a_new_block_is_a_change():
    a, b = tiny_project(), tiny_project()
    b.graph.rename(b.graph.by_name("relu1").id, "act")
    diff = diff_projects(Side("a", a), Side("b", b))
    assert diff.added == {"act": "relu"} and diff.removed == {"relu1": "relu"}
    c = tiny_project()
    graph: Graph = c.graph
    old = graph.by_name("relu1")
    graph.remove_node(old.id)
    new = graph.add_node("tanh", name="relu1")
    graph.connect(graph.by_name("conv1").id, new.id)
    graph.connect(new.id, graph.by_name("head").id)
    (change,) = diff_projects(Side("a", a), Side("c", c)).changed
    assert (change.name, change.old_block, change.block) == ("relu1", "relu", "tanh")


def test_broken_graph_has_no_figures_but_still_diffs():
    a = tiny_project()
    b = Project(Graph(), (1, 8, 8))
    diff = diff_projects(Side("a", a), Side("b", b))
    assert set(diff.removed) == {"image", "conv1", "relu1", "head"}
    assert diff.deltas()["params"] is None


def test_cli_diff_text_and_json(tmp_path, capsys):
    a, b = _pair()
    fa, fb = a.save(tmp_path / "a.json"), b.save(tmp_path / "b.json")
    assert main(["diff", str(fa), str(fb)]) == 0
    out = capsys.readouterr().out
    assert (
        "+ drop (dropout)" in out
        and "~ conv1 (conv2d): out_channels 4 → 8" in out
        and "+2,728" in out
    )
    assert main(["diff", str(fa), str(fb), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["identical"] is False and doc["figures"]["delta"]["params"] == 2728
    assert doc["changed"][0]["params"]["out_channels"] == {"a": 4, "b": 8}
    assert main(["diff", str(fa), str(tmp_path)]) == 1
    assert "is neither a project file nor a run folder" in capsys.readouterr().err
