"""A user's own blocks: made from a selection, saved and loaded, analysed, compiled, expanded,
embedded in project files; every bad library file is one line naming it."""

from __future__ import annotations

import json

import pytest
import torch

from blocks import get_spec
from runtime.analysis import analyze
from runtime.compile import build_model
from runtime.expand import expand, expand_state_dict
from runtime.project import load_project, loads_project
from runtime.userblocks import (
    UserBlockError,
    UserLibrary,
    definition_from_selection,
    install,
    selection_problem,
)
from runtime.userblocks import installed
from tests.runtime.user_block_helpers import (
    WIDTH,
    double_conv_graph,
    forget_user_blocks,  # noqa: F401 - fixture
    project_using,
    randomize,
)

pytestmark = pytest.mark.usefixtures("forget_user_blocks")


def saved_block(tmp_path, name="Double Conv", exposed=WIDTH):
    """A library in tmp_path holding the double-conv block."""
    graph, inner = double_conv_graph()
    library = UserLibrary(tmp_path / "blocks")
    definition = definition_from_selection(graph, inner, name, "Two 3×3 convolutions.", exposed)
    library.add(definition)
    return library, definition


def test_save_load_round_trip_and_registration(tmp_path):
    library, definition = saved_block(tmp_path)
    path = library.files[definition.id]
    assert path.parent == tmp_path / "blocks" and path.name == "user_double_conv.json"
    doc = json.loads(path.read_text())
    assert doc["format"] == "convstudio-block" and doc["version"] == 1
    assert doc["exposed"] == [
        {"name": "width", "bindings": [["conv1", "out_channels"], ["conv2", "out_channels"]]}
    ]
    installed.uninstall(definition.id)
    fresh = UserLibrary(tmp_path / "blocks")
    assert fresh.load() == []
    assert fresh.blocks[definition.id] == definition
    spec = get_spec(definition.id)
    assert spec.category == "My blocks" and spec.composite and spec.title == "Double Conv"
    assert [(p.name, p.kind, p.default, p.minimum) for p in spec.params] == [
        ("width", "int", 16, 1)
    ]
    assert "conv1.out_channels, conv2.out_channels" in spec.params[0].help


def test_rename_keeps_the_id_and_delete_removes_the_file(tmp_path):
    library, definition = saved_block(tmp_path)
    project = project_using(definition.id, {"width": 8})
    library.rename(definition.id, "Twin Conv")
    assert get_spec(definition.id).title == "Twin Conv"
    assert json.loads(library.files[definition.id].read_text())["name"] == "Twin Conv"
    with pytest.raises(UserBlockError, match="already has a block called 'Twin Conv'"):
        library.add(definition.renamed("twin conv"))
    path = library.files[definition.id]
    library.delete(definition.id)
    assert not path.exists() and definition.id not in library.blocks
    assert analyze(project).ok  # placed copies keep working


def test_analysis_matches_the_same_layers_placed_by_hand(tmp_path):
    _, definition = saved_block(tmp_path)
    project = project_using(definition.id, {"width": 24})
    figures = analyze(project).nodes[project.graph.by_name("double_conv1").id]
    graph, _ = double_conv_graph()
    for name in ("conv1", "conv2"):
        graph.set_params(graph.by_name(name).id, {"out_channels": 24})
    from runtime.project import Project

    by_hand = analyze(Project(graph, (3, 16, 16)))
    layers = [f for f in by_hand.nodes.values() if f.name in ("conv1", "bn1", "relu1", "conv2")]
    assert figures.out_shape == (24, 16, 16)
    assert figures.params == sum(f.params for f in layers)
    assert figures.macs == sum(f.macs for f in layers)
    assert figures.rf == by_hand.nodes[graph.by_name("conv2").id].rf == 5


def test_expand_gives_the_inner_layers_with_the_exposed_width_and_the_same_outputs(tmp_path):
    _, definition = saved_block(tmp_path)
    project = project_using(definition.id, {"width": 12})
    model = build_model(project).eval()
    randomize(model)
    x = torch.randn(2, 3, 16, 16)
    before = model(x)
    node = project.graph.by_name("double_conv1")
    expansion = expand(project, node.id)
    names = [project.graph.nodes[n].name for n in expansion.new_ids]
    assert names == ["double_conv1_conv1", "double_conv1_bn1", "double_conv1_relu1",
                     "double_conv1_conv2"]  # fmt: skip
    assert project.graph.by_name("double_conv1_conv2").params["out_channels"] == 12
    after = build_model(project).eval()
    after.load_state_dict(expand_state_dict(model.state_dict(), expansion))
    torch.testing.assert_close(after(x), before)


def test_residual_selection_with_a_fan_out_input(tmp_path):
    graph, inner = double_conv_graph()
    conv2 = graph.by_name("conv2").id
    edge = graph.consumers(conv2)[0]
    out = edge.dst
    graph.disconnect(edge)
    add = graph.add_node("add", name="add1")
    graph.connect(conv2, add.id)
    graph.connect(graph.by_name("input_image").id, add.id, 1)
    graph.connect(add.id, out)
    graph.set_params(conv2, {"out_channels": 3})
    definition = definition_from_selection(graph, [*inner, add.id], "Residual Pair")
    assert ("<input>", "add1") in definition.edges and definition.output == "add1"
    install(definition)
    project = project_using(definition.id, {}, {})
    assert analyze(project).ok
    model = build_model(project).eval()
    assert model(torch.randn(1, 3, 16, 16)).shape == (1, 10)


def test_a_selection_with_two_inputs_or_outputs_is_refused_naming_the_nodes():
    graph, inner = double_conv_graph()
    relu = graph.by_name("relu1").id
    extra = graph.add_node("conv2d", {"out_channels": 16}, name="side")
    graph.connect(graph.by_name("conv1").id, extra.id)
    assert selection_problem(graph, inner) == (
        "a block has one output, but 'conv1' and 'conv2' both lead out of the selection"
    )
    problem = selection_problem(graph, [relu, graph.by_name("conv2").id, extra.id])
    assert problem.startswith("a block takes one input, but the selection is fed by 'bn1'")
    assert "'conv1' (into 'side')" in problem
    assert "Input 'input_image' cannot be part of a block" in selection_problem(
        graph, [graph.by_name("input_image").id, *inner]
    )


def test_a_project_using_a_block_opens_without_the_library(tmp_path):
    _, definition = saved_block(tmp_path)
    project = project_using(definition.id, {"width": 8})
    path = tmp_path / "net.json"
    project.save(path)
    assert json.loads(path.read_text())["user_blocks"][0]["id"] == definition.id
    installed.uninstall(definition.id)  # another machine: no such block in its library
    reopened = load_project(path)
    assert reopened.graph.by_name("double_conv1").params == {"width": 8}
    assert analyze(reopened).ok


def test_an_embedded_block_whose_id_is_taken_by_another_network_gets_a_free_id(tmp_path):
    _, definition = saved_block(tmp_path)
    project = project_using(definition.id, {"width": 8})
    text = project.to_json()
    model = build_model(project).eval()
    installed.uninstall(definition.id)
    graph, inner = double_conv_graph()
    other = definition_from_selection(graph, inner[:2], "Double Conv")  # same id, other layers
    install(other)
    reopened = loads_project(text)
    node = reopened.graph.by_name("double_conv1")
    assert node.block == "user_double_conv_2"
    again = build_model(reopened).eval()
    again.load_state_dict(model.state_dict())
    x = torch.randn(1, 3, 16, 16)
    torch.testing.assert_close(again(x), model(x))


def test_a_bad_embedded_block_is_one_line_naming_the_project(tmp_path):
    _, definition = saved_block(tmp_path)
    doc = json.loads(project_using(definition.id, {"width": 8}).to_json())
    doc["user_blocks"][0]["layers"][0]["block"] = "warp_drive"
    installed.uninstall(definition.id)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(UserBlockError) as caught:
        load_project(path)
    assert str(caught.value) == (
        f"{path}: user_blocks[0]: layer 'conv1' is of unknown block kind 'warp_drive'"
    )


def _block_doc(**changes):
    graph, inner = double_conv_graph()
    doc = definition_from_selection(graph, inner, "Good Block", "", WIDTH).to_dict()
    doc.update(changes)
    return doc


def _layers_with(index, **changes):
    layers = _block_doc()["layers"]
    layers[index] = {**layers[index], **changes}
    return layers


BAD_FILES = {
    "malformed.json": ("{ not json", "is not valid JSON: Expecting property name"),
    "kind.json": (_block_doc(layers=_layers_with(0, block="warp_drive")), "unknown block kind"),
    "binding.json": (
        _block_doc(exposed=[{"name": "width", "bindings": [["conv1", "colour"]]}]),
        "exposed 'width' is bound to 'colour', which layer 'conv1' (Conv2d) does not",
    ),
    "binding_code.json": (
        _block_doc(exposed=[{"name": "__import__('os')", "bindings": [["conv1", "stride"]]}]),
        "is not a valid name",
    ),
    "clash.json": (_block_doc(name="batchnorm", id="user_bn"), "is the name of a built-in"),
    "cycle_self.json": (
        _block_doc(id="user_selfish", layers=_layers_with(1, block="user_selfish", params={})),
        "uses the block itself (a cycle)",
    ),
    "wires.json": (
        _block_doc(edges=[["<input>", "conv1"], ["conv2", "conv1"], ["conv1", "bn1"]]),
        "has 2 inputs wired",
    ),
    "layer_name.json": (_block_doc(layers=_layers_with(0, name="self")), "is reserved"),
    "newer.json": (_block_doc(version=7), "newer ConvStudio"),
    "huge.json": (b"{" + b" " * (5 * 1024 * 1024) + b"}", "is larger than 4 MiB"),
}


def test_bad_library_files_are_one_line_each_and_the_rest_loads(tmp_path):
    folder = tmp_path / "blocks"
    folder.mkdir()
    for name, (content, _) in BAD_FILES.items():
        if isinstance(content, dict):
            stem = name.removesuffix(".json")
            content = json.dumps({**content, "id": content["id"].replace("good_block", stem)})
        data = content if isinstance(content, bytes) else content.encode()
        (folder / name).write_bytes(data)
    good = _block_doc(id="user_fine", name="Fine Block")
    (folder / "fine.json").write_text(json.dumps(good))
    for other, uses in (("a", "user_b"), ("b", "user_a")):
        layers = _layers_with(1, block=uses, params={})
        doc = _block_doc(id=f"user_{other}", name=f"Loop {other}", layers=layers)
        (folder / f"loop_{other}.json").write_text(json.dumps(doc))
    library = UserLibrary(folder)
    problems = library.load()
    assert list(library.blocks) == ["user_fine"]
    assert len(problems) == len(BAD_FILES) + 2
    for line in problems:
        assert "\n" not in line and "Traceback" not in line
    for name, (_, expected) in BAD_FILES.items():
        line = next(p for p in problems if p.startswith(str(folder / name)))
        assert expected in line, line
    loops = [p for p in problems if "loop_" in p]
    assert loops and all("which uses it in turn (a cycle)" in p for p in loops)


def test_a_missing_library_folder_is_an_empty_library(tmp_path):
    library = UserLibrary(tmp_path / "nowhere")
    assert library.load() == [] and library.blocks == {}


def test_an_embedded_copy_of_an_installed_block_leaves_the_installed_name(tmp_path):
    library, definition = saved_block(tmp_path)
    text = project_using(definition.id, {"width": 8}).to_json()
    library.rename(definition.id, "Twin Conv")  # the library's block, renamed since
    reopened = loads_project(text)
    assert reopened.graph.by_name("double_conv1").block == definition.id
    assert get_spec(definition.id).title == "Twin Conv"
