"""Groups: named node sets with undoable edits, saved in the project file, free at compile time."""

from __future__ import annotations

import json

import pytest

from runtime.compile import build_model
from runtime.edits import RemoveItems
from runtime.errors import GroupError, ProjectFileError
from runtime.expand import expand_node
from runtime.group_edits import GroupNodes, RenameGroup, SetGroupCollapsed, Ungroup
from runtime.analysis import analyze
from runtime.groups import group_name_problem, groups, members, summarise
from runtime.graph import chain
from runtime.python_export import python_source
from runtime.project import Project, loads_project


def _small() -> tuple[Project, list[str]]:
    project = Project(input_shape=(3, 16, 16))
    ids = chain(
        project.graph,
        [
            ("input", {}),
            ("conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
            ("relu", {}),
            ("conv2d", {"out_channels": 16, "kernel_size": 3, "padding": 1}),
            ("global_avg_pool", {}),
            ("flatten", {}),
            ("output", {"num_classes": 10}),
        ],
    )
    return project, ids


def test_group_ungroup_rename_collapse_apply_and_revert_exactly():
    project, ids = _small()
    before = project.to_json()
    edit = GroupNodes(ids[1:4], "stem")
    edit.apply(project)
    assert groups(project.graph) == {"stem": ids[1:4]}
    collapse = SetGroupCollapsed("stem", True)
    collapse.apply(project)
    rename = RenameGroup("stem", "features")
    rename.apply(project)
    assert project.graph.collapsed == {"features"}
    assert members(project.graph, "features") == ids[1:4]
    ungroup = Ungroup("features")
    ungroup.apply(project)
    assert groups(project.graph) == {} and project.graph.collapsed == set()
    for done in (ungroup, rename, collapse, edit):
        done.revert(project)
    assert project.to_json() == before


def test_refusals_name_the_problem_and_change_nothing():
    project, ids = _small()
    GroupNodes(ids[1:3], "stem").apply(project)
    before = project.to_json()
    with pytest.raises(GroupError, match="already exists"):
        GroupNodes(ids[3:5], "stem").apply(project)
    with pytest.raises(GroupError, match="not a valid group name"):
        GroupNodes(ids[3:5], "bad/name").apply(project)
    with pytest.raises(GroupError, match="select the nodes"):
        GroupNodes([], "head").apply(project)
    with pytest.raises(GroupError, match="no group called 'nope'"):
        Ungroup("nope").apply(project)
    with pytest.raises(GroupError, match="no group called 'nope'"):
        SetGroupCollapsed("nope", True).apply(project)
    assert project.to_json() == before
    assert group_name_problem("layer1") is None and group_name_problem("x" * 65)


def test_groups_are_saved_and_older_files_still_load():
    project, ids = _small()
    GroupNodes(ids[1:4], "stem").apply(project)
    SetGroupCollapsed("stem", True).apply(project)
    doc = project.to_dict()
    assert doc["groups"] == [{"name": "stem", "collapsed": True}]
    assert doc["nodes"][1]["group"] == "stem"
    again = loads_project(project.to_json())
    assert groups(again.graph) == groups(project.graph)
    assert again.graph.collapsed == {"stem"}
    old = dict(doc)
    del old["groups"]
    for node in old["nodes"]:
        node.pop("group", None)
    assert groups(loads_project(json.dumps(old)).graph) == {}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(groups="stem"), "'groups' must be a list"),
        (lambda d: d.update(groups=[{"name": 3}]), r"groups\[0\] must be an object"),
        (lambda d: d["groups"][0].update(collapsed="yes"), r"groups\[0\].collapsed"),
        (lambda d: d["nodes"][1].update(group=["x"]), r"nodes\[1\].group"),
    ],
)
def test_bad_group_data_in_a_file_is_one_line_naming_it(change, message):
    project, ids = _small()
    GroupNodes(ids[1:4], "stem").apply(project)
    doc = project.to_dict()
    change(doc)
    with pytest.raises(ProjectFileError, match=message) as info:
        loads_project(json.dumps(doc))
    assert "\n" not in str(info.value)


def test_deleting_members_and_undo_restore_the_group():
    project, ids = _small()
    GroupNodes(ids[1:4], "stem").apply(project)
    delete = RemoveItems([ids[2]])
    delete.apply(project)
    assert members(project.graph, "stem") == [ids[1], ids[3]]
    delete.revert(project)
    assert set(members(project.graph, "stem")) == set(ids[1:4])


def test_summary_shows_shapes_params_and_macs_crossing_the_border():
    project, ids = _small()
    GroupNodes(ids[1:4], "stem").apply(project)
    analysis = analyze(project)
    summary = summarise(project.graph, analysis, "stem")
    assert summary.inputs == [(ids[0], ids[1])]
    assert summary.outputs == [(ids[3], ids[4])]
    assert summary.in_shapes == [(3, 16, 16)] and summary.out_shapes == [(16, 16, 16)]
    assert summary.params == sum(analysis.nodes[n].params for n in ids[1:4])
    assert summary.macs == sum(analysis.nodes[n].macs for n in ids[1:4]) > 0


def test_groups_cost_nothing_at_compile_or_export_time():
    project, ids = _small()
    plain, source = build_model(project), python_source(project)
    GroupNodes(ids[1:4], "stem").apply(project)
    SetGroupCollapsed("stem", True).apply(project)
    grouped = build_model(project)
    assert list(plain.state_dict()) == list(grouped.state_dict())
    assert python_source(project) == source


def test_an_expanded_composite_keeps_its_group():
    project = Project(input_shape=(3, 16, 16))
    ids = chain(
        project.graph,
        [
            ("input", {}),
            ("residual_basic", {"out_channels": 3}),
            ("global_avg_pool", {}),
            ("flatten", {}),
            ("output", {"num_classes": 10}),
        ],
    )
    GroupNodes([ids[1]], "layer1").apply(project)
    new = expand_node(project, ids[1])
    assert set(members(project.graph, "layer1")) == set(new) and len(new) > 1


def test_templates_come_grouped_by_stage():
    from runtime.zoo.generate import load_template

    resnet = groups(load_template("resnet50").graph)
    assert list(resnet) == ["stem", "layer1", "layer2", "layer3", "layer4"]
    assert [len(resnet[f"layer{i}"]) for i in range(1, 5)] == [3, 4, 6, 3]
    assert list(groups(load_template("densenet121").graph)) == [
        "stem",
        "block1",
        "block2",
        "block3",
        "block4",
    ]
    unet = load_template("unet").graph
    assert list(groups(unet)) == [*(f"enc{i}" for i in range(1, 5)), "bottom"] + [
        f"dec{i}" for i in (4, 3, 2, 1)
    ]
    assert {unet.nodes[n].name for n in groups(unet)["dec1"]} >= {"up1", "crop1", "concat1"}
    googlenet = groups(load_template("googlenet").graph)
    assert list(googlenet) == ["stem", "inception3", "inception4", "inception5"]
    small = load_template("unet_small").graph
    assert list(groups(small)) == ["enc1", "enc2", "enc3", "bottom", "dec3", "dec2", "dec1"]
    assert {small.nodes[n].name for n in groups(small)["dec1"]} >= {"up1", "concat1"}


def test_auto_layout_places_a_collapsed_group_as_one_node_and_moves_its_blocks_with_it():
    from runtime.group_layout import COLLAPSED_ROOM, grouped_positions
    from runtime.layout import Y_GAP, project_positions
    from runtime.zoo.generate import load_template

    project = load_template("resnet18")
    graph = project.graph
    found = groups(graph)
    graph.collapsed = set(found)
    positions = grouped_positions(project)
    centres = []
    for ids in found.values():
        old = [graph.nodes[n].pos for n in ids]
        new = [positions[n] for n in ids]
        shifts = {(round(b[0] - a[0], 6), round(b[1] - a[1], 6)) for a, b in zip(old, new)}
        assert len(shifts) == 1  # the blocks keep their arrangement
        ys = [p[1] for p in new]
        centres.append((min(ys) + max(ys)) / 2)
    gaps = [b - a for a, b in zip(centres, centres[1:])]
    room = COLLAPSED_ROOM["down"]  # a collapsed box is larger than a block
    assert gaps == [Y_GAP + room] * (len(found) - 1)  # one layer per collapsed stage
    graph.collapsed = set()
    assert grouped_positions(project) == project_positions(project)


def test_auto_layout_of_collapsed_groups_follows_the_project_direction():
    from runtime.group_layout import grouped_positions
    from runtime.layout import set_project_direction
    from runtime.zoo.generate import load_template

    project = load_template("resnet18")
    graph = project.graph
    set_project_direction(project, "right")
    found = groups(graph)
    graph.collapsed = set(found)
    positions = grouped_positions(project)
    centres = []
    for ids in found.values():
        xs = [positions[n][0] for n in ids]
        centres.append((min(xs) + max(xs)) / 2)
    assert centres == sorted(centres) and len(set(centres)) == len(centres)
    spine = [positions[graph.by_name(n).id] for n in ("input_image", "fc")]
    assert spine[0][0] < centres[0] < centres[-1] < spine[1][0]
