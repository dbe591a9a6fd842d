"""Bad project files fed to every command that reads a project: structure, types, numbers,
encodings, references, files that exhaust memory if read naively, and paths that are not files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from blocks import all_specs
from tests.robustness.corpus.builders import (
    HUGE,
    Writer,
    bytes_file,
    edited,
    json_file,
    node_param,
    raw_json,
    set_value,
    text_file,
    tiny_project,
    with_node,
)


def project_files() -> dict[str, Writer]:
    """Bad project files: structure, types, numbers, encodings, references (for every command)."""
    base = json.dumps(tiny_project())
    files: dict[str, Writer] = {
        "empty": bytes_file(b""),
        "not_json": text_file("{ not json"),
        "truncated": text_file(base[: len(base) // 2]),
        "binary": bytes_file(bytes(range(256)) * 4),
        "latin1": bytes_file(base.replace("Tiny", "Tîny").encode("latin-1")),
        "utf16": bytes_file(base.encode("utf-16")),
        "array_top": json_file([tiny_project()]),
        "string_top": json_file("convstudio-project"),
        "no_format": edited(lambda d: d.pop("format")),
        "wrong_format": edited(set_value("format", "keras")),
        "no_version": edited(lambda d: d.pop("version")),
        "version_string": edited(set_value("version", "1")),
        "version_negative": edited(set_value("version", -1)),
        "version_float": edited(set_value("version", 1.5)),
        "version_newer": edited(set_value("version", 99)),
        "version_huge": raw_json(lambda t: t.replace('"version": 1', f'"version": {HUGE}')),
        "v0_edges_int": edited(lambda d: d.update(version=0, edges=5)),
        "v0_edges_string": edited(lambda d: d.update(version=0, edges="n1->n2")),
        "v0_edges_object": edited(lambda d: d.update(version=0, edges={"from": "n1"})),
        "v0_input_strings": edited(lambda d: d.update(version=0, input=["a", "b", "c"])),
        "v0_edge_source_only": edited(lambda d: d.update(version=0, edges=[{"source": "n1"}])),
        "nodes_object": edited(set_value("nodes", {"n1": {}})),
        "edges_null": edited(set_value("edges", None)),
        "node_string": edited(lambda d: d["nodes"].append("conv")),
        "node_no_id": edited(lambda d: d["nodes"][1].pop("id")),
        "node_id_int": edited(lambda d: d["nodes"][1].update(id=2)),
        "node_duplicate_id": edited(lambda d: d["nodes"][2].update(id="n2")),
        "node_duplicate_name": edited(lambda d: d["nodes"][2].update(name="conv1")),
        "node_unknown_block": edited(lambda d: d["nodes"][1].update(block="warp_drive")),
        "node_block_int": edited(lambda d: d["nodes"][1].update(block=7)),
        "node_params_list": edited(lambda d: d["nodes"][1].update(params=[1, 2])),
        "node_unknown_param": edited(node_param(1, "colour", "red")),
        "node_name_int": edited(lambda d: d["nodes"][1].update(name=5)),
        "node_name_keyword": edited(lambda d: d["nodes"][1].update(name="class")),
        "node_name_newline": edited(lambda d: d["nodes"][1].update(name="a\nb")),
        "node_position_nan": raw_json(
            lambda t: t.replace('"position": [0, 90]', '"position": [NaN, 90]')
        ),
        "node_position_huge": edited(lambda d: d["nodes"][1].update(position=[1e300, 0])),
        "node_position_short": edited(lambda d: d["nodes"][1].update(position=[1])),
        "two_inputs": edited(
            lambda d: d["nodes"].append(
                {"id": "i2", "block": "input", "name": "image2", "params": {}, "position": [1, 1]}
            )
        ),
        "no_output": edited(lambda d: (d["nodes"].pop(), d["edges"].pop())),
        "edge_missing_node": edited(lambda d: d["edges"].append({"from": "n1", "to": "ghost"})),
        "edge_self_loop": edited(
            lambda d: d["edges"].append({"from": "n3", "to": "n3", "port": 0})
        ),
        "edge_cycle": edited(lambda d: d["edges"].append({"from": "n4", "to": "n2", "port": 0})),
        "edge_port_huge": raw_json(
            lambda t: t.replace('"to": "n2", "port": 0', f'"to": "n2", "port": {HUGE}')
        ),
        "edge_port_negative": edited(lambda d: d["edges"][0].update(port=-1)),
        "edge_port_string": edited(lambda d: d["edges"][0].update(port="0")),
        "edge_duplicate": edited(lambda d: d["edges"].append(dict(d["edges"][0]))),
        "input_zero": edited(set_value("input", "channels", 0)),
        "input_huge": edited(set_value("input", "height", 10**9)),
        "input_list": edited(set_value("input", [1, 8, 8])),
        "input_bool": edited(set_value("input", "width", True)),
        "name_object": edited(set_value("name", {"x": 1})),
        "description_list": edited(set_value("description", ["a"])),
        "data_list": edited(set_value("data", [1])),
        "training_string": edited(set_value("training", "fast")),
        "nan_constant": raw_json(lambda t: t.replace('"kernel_size": 3', '"kernel_size": NaN')),
        "infinity_constant": raw_json(
            lambda t: t.replace('"kernel_size": 3', '"kernel_size": Infinity')
        ),
        "float_overflow": raw_json(lambda t: t.replace('"kernel_size": 3', '"kernel_size": 1e400')),
        "int_4300_digits": raw_json(
            lambda t: t.replace('"kernel_size": 3', '"kernel_size": ' + "9" * 5000)
        ),
        "kernel_too_large": edited(node_param(1, "kernel_size", 15)),
        "kernel_too_large_padding_0": edited(
            lambda d: d["nodes"][1]["params"].update(kernel_size=11, padding=0)
        ),
        "channels_negative": edited(node_param(1, "out_channels", -4)),
        "channels_float": edited(node_param(1, "out_channels", 4.5)),
        "channels_string": edited(node_param(1, "out_channels", "4")),
        "channels_bool": edited(node_param(1, "out_channels", True)),
        "padding_word": edited(node_param(1, "padding", "full")),
        "deep_nesting": text_file(
            base.replace(
                '"training":', '"deep": ' + "[" * 100_000 + "]" * 100_000 + ', "training":'
            )
        ),
    }
    return files


def number_files() -> dict[str, tuple[Writer, bool]]:
    """10**400 in every numeric parameter of every block type (refused while parsing), and 2**62 in
    every bounded one (refused by the block's limits): name → (writer, parsed-away)."""
    files: dict[str, tuple[Writer, bool]] = {}
    for spec in all_specs():
        for param in spec.params:
            if param.kind in ("int", "float", "padding"):
                files[f"huge_{spec.id}_{param.name}"] = (
                    raw_json(_insert_node_text(spec.id, param.name, str(HUGE))),
                    True,
                )
                if param.maximum is not None:
                    files[f"big_{spec.id}_{param.name}"] = (
                        raw_json(_insert_node_text(spec.id, param.name, str(2**62))),
                        False,
                    )
    return files


def _insert_node_text(block: str, param: str, number: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        doc = json.loads(text)
        with_node(block, {param: 12345})(doc)
        return json.dumps(doc).replace('"' + param + '": 12345', f'"{param}": {number}')

    return edit


def bomb_project_files() -> dict[str, Writer]:
    """Files that exhaust memory or time if read naively (run under the address-space limit)."""
    return {
        "bomb_65mib": lambda p: _sparse_json(p, 65 * 2**20),
        "bomb_many_nodes": edited(
            lambda d: d.update(
                nodes=d["nodes"]
                + [
                    {
                        "id": f"m{i}",
                        "block": "relu",
                        "name": f"m{i}",
                        "params": {},
                        "position": [0, 0],
                    }
                    for i in range(60_000)
                ]
            )
        ),
        "bomb_many_edges": edited(lambda d: d.update(edges=d["edges"] * 30_000)),
    }


def _sparse_json(path: Path, size: int) -> None:
    """A project file past the size limit: a valid project, then a hole of zeros (costs no disk)."""
    with open(path, "wb") as handle:
        handle.write(json.dumps(tiny_project()).encode())
        handle.truncate(size)


def special_paths() -> dict[str, str]:
    """Things that are not regular files, named where a project file is expected."""
    return {
        "dev_zero": "/dev/zero",
        "dev_null": "/dev/null",
        "dev_urandom": "/dev/urandom",
        "folder": ".",
        "missing": "missing.json",
        "fifo": "fifo.json",
        "symlink_dev_zero": "zero.json",
        "symlink_loop": "loop.json",
    }


def make_special(folder: Path, name: str) -> None:
    """Create the FIFO or links that `special_paths` names (the /dev ones exist already)."""
    if name == "fifo":
        os.mkfifo(folder / "fifo.json")
    elif name == "symlink_dev_zero":
        (folder / "zero.json").symlink_to("/dev/zero")
    elif name == "symlink_loop":
        (folder / "loop.json").symlink_to("loop.json")
