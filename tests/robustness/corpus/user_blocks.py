"""Project files whose embedded user blocks are bad (refused, one line naming the file), and user
blocks whose name and description are hostile strings (exported, importing runs nothing)."""

from __future__ import annotations

import copy
from typing import Any, Callable

from tests.robustness.corpus.builders import Writer, json_file, tiny_project, with_node
from tests.robustness.corpus.export import injection_strings

BLOCK_ID = "user_pair"


def user_block(**changes: Any) -> dict[str, Any]:
    """A valid block: a 3×3 convolution and a ReLU, its width exposed."""
    doc: dict[str, Any] = {
        "format": "convstudio-block",
        "version": 1,
        "id": BLOCK_ID,
        "name": "Pair",
        "description": "conv and relu",
        "layers": [
            {"name": "conv", "block": "conv2d", "params": {"out_channels": 4, "padding": 1}},
            {"name": "act", "block": "relu", "params": {}},
        ],
        "edges": [["<input>", "conv"], ["conv", "act"]],
        "output": "act",
        "exposed": [{"name": "width", "bindings": [["conv", "out_channels"]]}],
    }
    doc.update(changes)
    return doc


def project_with(block: Any, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The base project with `block` embedded and one node of it between relu1 and flatten1."""
    doc = tiny_project(user_blocks=[block])
    block_id = block.get("id", BLOCK_ID) if isinstance(block, dict) else BLOCK_ID
    with_node(block_id, params or {})(doc)
    return doc


def _layers(index: int, **changes: Any) -> list[dict[str, Any]]:
    layers = copy.deepcopy(user_block()["layers"])
    layers[index].update(changes)
    return layers


def _edited(edit: Callable[[dict[str, Any]], None]) -> Writer:
    doc = project_with(user_block())
    edit(doc)
    return json_file(doc)


def user_block_files() -> dict[str, Writer]:
    """Bad embedded blocks (for summary and export)."""
    many = [{"name": f"r{i}", "block": "relu", "params": {}} for i in range(1500)]
    return {
        "ub_not_list": _edited(lambda d: d.update(user_blocks="pair")),
        "ub_entry_string": _edited(lambda d: d.update(user_blocks=["pair"])),
        "ub_wrong_format": json_file(project_with(user_block(format="keras"))),
        "ub_newer": json_file(project_with(user_block(version=9))),
        "ub_unknown_kind": json_file(project_with(user_block(layers=_layers(0, block="warp")))),
        "ub_bad_param": json_file(
            project_with(user_block(layers=_layers(0, params={"out_channels": -3})))
        ),
        "ub_bad_binding": json_file(
            project_with(user_block(exposed=[{"name": "w", "bindings": [["conv", "colour"]]}]))
        ),
        "ub_binding_code": json_file(
            project_with(
                user_block(exposed=[{"name": "__import__('os')", "bindings": [["conv", "stride"]]}])
            )
        ),
        "ub_binding_expression": json_file(
            project_with(
                user_block(exposed=[{"name": "w", "bindings": [["conv", "out_channels * 2"]]}])
            )
        ),
        "ub_builtin_clash": json_file(project_with(user_block(name="BatchNorm"))),
        "ub_self_cycle": json_file(
            project_with(user_block(layers=_layers(1, block=BLOCK_ID, params={})))
        ),
        "ub_wire_cycle": json_file(
            project_with(user_block(edges=[["<input>", "conv"], ["act", "conv"], ["conv", "act"]]))
        ),
        "ub_spare_layer": json_file(project_with(user_block(edges=[["<input>", "conv"]]))),
        "ub_layer_name_code": json_file(
            project_with(user_block(layers=_layers(0, name='x"); import os #')))
        ),
        "ub_input_inside": json_file(project_with(user_block(layers=_layers(1, block="input")))),
        "ub_too_many_layers": json_file(project_with(user_block(layers=many, output="r0"))),
        "ub_unknown_node_param": json_file(project_with(user_block(), {"colour": 3})),
    }


def user_block_injections() -> dict[str, Writer]:
    """Hostile but valid block names and descriptions (exported; importing the file runs
    nothing)."""
    writers: dict[str, Writer] = {}
    for name, text in injection_strings().items():
        if text.isprintable() and not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            writers[f"ub_name_{name}"] = json_file(project_with(user_block(name=text)))
        if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            writers[f"ub_description_{name}"] = json_file(
                project_with(user_block(description=text))
            )
    return writers
