"""Generators of hostile and careless inputs, each paired with the commands it is fed to.

Nothing here is a stored blob: every file is written by code at test time, into one folder per case.
A case is refused (exit 1, one line) unless it is marked `accepted`: hostile strings that are valid
input, whose exported code must import without running anything.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import struct
import zlib
from fractions import Fraction
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from blocks import all_specs
from tests.robustness.deflate_bomb import zero_bomb

MARKER = "PWNED"
"""A file that injected code would create in the case folder; its existence means code ran."""


@dataclass
class Case:
    """One bad input fed to one command; argv is relative to the case folder."""

    name: str
    argv: list[str]
    bomb: bool = False
    accepted: bool = False
    import_after: str | None = None  # an exported module to import (it must run nothing)
    folder: str = ""
    inputs: dict[str, str] = field(default_factory=dict)  # file → sha256 before the run


def tiny_project(**changes: Any) -> dict[str, Any]:
    """A small valid network on 1×8×8 inputs (the bundled 8×8 digits), quick to load and train."""
    doc: dict[str, Any] = {
        "format": "convstudio-project",
        "version": 1,
        "name": "Tiny",
        "description": "robustness base",
        "input": {"channels": 1, "height": 8, "width": 8},
        "nodes": [
            {"id": "n1", "block": "input", "name": "image", "params": {}, "position": [0, 0]},
            {
                "id": "n2",
                "block": "conv2d",
                "name": "conv1",
                "params": {"out_channels": 4, "kernel_size": 3, "padding": 1},
                "position": [0, 90],
            },
            {"id": "n3", "block": "relu", "name": "relu1", "params": {}, "position": [0, 180]},
            {
                "id": "n4",
                "block": "flatten",
                "name": "flatten1",
                "params": {},
                "position": [0, 270],
            },
            {
                "id": "n5",
                "block": "output",
                "name": "head",
                "params": {"num_classes": 10},
                "position": [0, 360],
            },
        ],
        "edges": [{"from": f"n{i}", "to": f"n{i + 1}", "port": 0} for i in range(1, 5)],
        "training": {
            "epochs": 1,
            "batch_size": 64,
            "schedule": "constant",
            "optimizer": "sgd",
            "lr": 0.01,
        },
        "data": {"source": "digits", "validation": 0.2},
    }
    doc.update(changes)
    return doc


Writer = Callable[[Path], None]


def _json(doc: Any) -> Writer:
    return lambda path: path.write_text(json.dumps(doc), encoding="utf-8")


def _text(text: str, encoding: str = "utf-8") -> Writer:
    return lambda path: path.write_bytes(text.encode(encoding, "surrogatepass"))


def _bytes(data: bytes) -> Writer:
    return lambda path: path.write_bytes(data)


def _edited(edit: Callable[[dict[str, Any]], None], base: dict[str, Any] | None = None) -> Writer:
    doc = copy.deepcopy(base or tiny_project())
    edit(doc)
    return _json(doc)


def _raw_json(edit: Callable[[str], str]) -> Writer:
    """The base project's JSON after a textual edit (numbers JSON writers would not produce)."""
    return _text(edit(json.dumps(tiny_project())))


def _node_param(node: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["nodes"][node]["params"][key] = value

    return edit


def _set(*keys_and_value: Any) -> Callable[[dict[str, Any]], None]:
    *keys, value = keys_and_value

    def edit(doc: dict[str, Any]) -> None:
        target = doc
        for key in keys[:-1]:
            target = target.setdefault(key, {}) if isinstance(target, dict) else target[key]
        target[keys[-1]] = value

    return edit


def _with_node(block: str, params: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """Put one `block` node with `params` between relu1 and flatten1."""

    def edit(doc: dict[str, Any]) -> None:
        doc["nodes"].append(
            {"id": "x", "block": block, "name": "probe", "params": params, "position": [9, 9]}
        )
        doc["edges"] = [e for e in doc["edges"] if e["from"] != "n3"]
        doc["edges"] += [{"from": "n3", "to": "x", "port": 0}, {"from": "x", "to": "n4", "port": 0}]

    return edit


HUGE = 10**400


def project_files() -> dict[str, Writer]:
    """Bad project files: structure, types, numbers, encodings, references (for every command)."""
    base = json.dumps(tiny_project())
    files: dict[str, Writer] = {
        "empty": _bytes(b""),
        "not_json": _text("{ not json"),
        "truncated": _text(base[: len(base) // 2]),
        "binary": _bytes(bytes(range(256)) * 4),
        "latin1": _bytes(base.replace("Tiny", "Tîny").encode("latin-1")),
        "utf16": _bytes(base.encode("utf-16")),
        "array_top": _json([tiny_project()]),
        "string_top": _json("convstudio-project"),
        "no_format": _edited(lambda d: d.pop("format")),
        "wrong_format": _edited(_set("format", "keras")),
        "no_version": _edited(lambda d: d.pop("version")),
        "version_string": _edited(_set("version", "1")),
        "version_negative": _edited(_set("version", -1)),
        "version_float": _edited(_set("version", 1.5)),
        "version_newer": _edited(_set("version", 99)),
        "version_huge": _raw_json(lambda t: t.replace('"version": 1', f'"version": {HUGE}')),
        "v0_edges_int": _edited(lambda d: d.update(version=0, edges=5)),
        "v0_edges_string": _edited(lambda d: d.update(version=0, edges="n1->n2")),
        "v0_edges_object": _edited(lambda d: d.update(version=0, edges={"from": "n1"})),
        "v0_input_strings": _edited(lambda d: d.update(version=0, input=["a", "b", "c"])),
        "v0_edge_source_only": _edited(lambda d: d.update(version=0, edges=[{"source": "n1"}])),
        "nodes_object": _edited(_set("nodes", {"n1": {}})),
        "edges_null": _edited(_set("edges", None)),
        "node_string": _edited(lambda d: d["nodes"].append("conv")),
        "node_no_id": _edited(lambda d: d["nodes"][1].pop("id")),
        "node_id_int": _edited(lambda d: d["nodes"][1].update(id=2)),
        "node_duplicate_id": _edited(lambda d: d["nodes"][2].update(id="n2")),
        "node_duplicate_name": _edited(lambda d: d["nodes"][2].update(name="conv1")),
        "node_unknown_block": _edited(lambda d: d["nodes"][1].update(block="warp_drive")),
        "node_block_int": _edited(lambda d: d["nodes"][1].update(block=7)),
        "node_params_list": _edited(lambda d: d["nodes"][1].update(params=[1, 2])),
        "node_unknown_param": _edited(_node_param(1, "colour", "red")),
        "node_name_int": _edited(lambda d: d["nodes"][1].update(name=5)),
        "node_name_keyword": _edited(lambda d: d["nodes"][1].update(name="class")),
        "node_name_newline": _edited(lambda d: d["nodes"][1].update(name="a\nb")),
        "node_position_nan": _raw_json(
            lambda t: t.replace('"position": [0, 90]', '"position": [NaN, 90]')
        ),
        "node_position_huge": _edited(lambda d: d["nodes"][1].update(position=[1e300, 0])),
        "node_position_short": _edited(lambda d: d["nodes"][1].update(position=[1])),
        "two_inputs": _edited(
            lambda d: d["nodes"].append(
                {"id": "i2", "block": "input", "name": "image2", "params": {}, "position": [1, 1]}
            )
        ),
        "no_output": _edited(lambda d: (d["nodes"].pop(), d["edges"].pop())),
        "edge_missing_node": _edited(lambda d: d["edges"].append({"from": "n1", "to": "ghost"})),
        "edge_self_loop": _edited(
            lambda d: d["edges"].append({"from": "n3", "to": "n3", "port": 0})
        ),
        "edge_cycle": _edited(lambda d: d["edges"].append({"from": "n4", "to": "n2", "port": 0})),
        "edge_port_huge": _raw_json(
            lambda t: t.replace('"to": "n2", "port": 0', f'"to": "n2", "port": {HUGE}')
        ),
        "edge_port_negative": _edited(lambda d: d["edges"][0].update(port=-1)),
        "edge_port_string": _edited(lambda d: d["edges"][0].update(port="0")),
        "edge_duplicate": _edited(lambda d: d["edges"].append(dict(d["edges"][0]))),
        "input_zero": _edited(_set("input", "channels", 0)),
        "input_huge": _edited(_set("input", "height", 10**9)),
        "input_list": _edited(_set("input", [1, 8, 8])),
        "input_bool": _edited(_set("input", "width", True)),
        "name_object": _edited(_set("name", {"x": 1})),
        "description_list": _edited(_set("description", ["a"])),
        "data_list": _edited(_set("data", [1])),
        "training_string": _edited(_set("training", "fast")),
        "nan_constant": _raw_json(lambda t: t.replace('"kernel_size": 3', '"kernel_size": NaN')),
        "infinity_constant": _raw_json(
            lambda t: t.replace('"kernel_size": 3', '"kernel_size": Infinity')
        ),
        "float_overflow": _raw_json(
            lambda t: t.replace('"kernel_size": 3', '"kernel_size": 1e400')
        ),
        "int_4300_digits": _raw_json(
            lambda t: t.replace('"kernel_size": 3', '"kernel_size": ' + "9" * 5000)
        ),
        "kernel_too_large": _edited(_node_param(1, "kernel_size", 15)),
        "kernel_too_large_padding_0": _edited(
            lambda d: d["nodes"][1]["params"].update(kernel_size=11, padding=0)
        ),
        "channels_negative": _edited(_node_param(1, "out_channels", -4)),
        "channels_float": _edited(_node_param(1, "out_channels", 4.5)),
        "channels_string": _edited(_node_param(1, "out_channels", "4")),
        "channels_bool": _edited(_node_param(1, "out_channels", True)),
        "padding_word": _edited(_node_param(1, "padding", "full")),
        "deep_nesting": _text(
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
                    _raw_json(_insert_node_text(spec.id, param.name, str(HUGE))),
                    True,
                )
                if param.maximum is not None:
                    files[f"big_{spec.id}_{param.name}"] = (
                        _raw_json(_insert_node_text(spec.id, param.name, str(2**62))),
                        False,
                    )
    return files


def _insert_node_text(block: str, param: str, number: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        doc = json.loads(text)
        _with_node(block, {param: 12345})(doc)
        return json.dumps(doc).replace('"' + param + '": 12345', f'"{param}": {number}')

    return edit


def bomb_project_files() -> dict[str, Writer]:
    """Files that exhaust memory or time if read naively (run under the address-space limit)."""
    return {
        "bomb_65mib": lambda p: _sparse_json(p, 65 * 2**20),
        "bomb_many_nodes": _edited(
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
        "bomb_many_edges": _edited(lambda d: d.update(edges=d["edges"] * 30_000)),
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


def training_settings() -> dict[str, dict[str, Any]]:
    """Bad `training` sections: wrong type, out of range and huge values for every setting."""
    from runtime.training.settings import FIELDS

    cases: dict[str, dict[str, Any]] = {"unknown_key": {"learning_rate": 0.1}}
    for spec in FIELDS:
        cases[f"{spec.name}_object"] = {spec.name: {"value": 1}}
        if spec.kind in ("int", "float"):
            cases[f"{spec.name}_string"] = {spec.name: "3"}
            cases[f"{spec.name}_below"] = {spec.name: (spec.minimum or 0) - 1}
            cases[f"{spec.name}_above"] = {spec.name: spec.maximum * 10 + 1}
            cases[f"{spec.name}_huge"] = {spec.name: 2**62}
        elif spec.kind == "choice":
            cases[f"{spec.name}_unknown"] = {spec.name: "warp"}
        else:
            cases[f"{spec.name}_int"] = {spec.name: 1}
    return cases


def data_settings() -> dict[str, dict[str, Any]]:
    """Bad `data` sections."""
    return {
        "source_unknown": {"source": "imagenet"},
        "source_int": {"source": 3},
        "split_seed_negative": {"source": "digits", "split_seed": -1},
        "split_seed_huge": {"source": "digits", "split_seed": 2**62},
        "split_seed_float": {"source": "digits", "split_seed": 0.5},
        "validation_zero": {"source": "digits", "validation": 0},
        "validation_negative": {"source": "digits", "validation": -0.2},
        "validation_huge": {"source": "digits", "validation": 2**62},
        "validation_too_many": {"source": "digits", "validation": 5000},
        "validation_fraction_one": {"source": "digits", "validation": 1.5},
        "validation_string": {"source": "digits", "validation": "20%"},
        "augment_list": {"source": "digits", "augment": [1]},
        "augment_pad_huge": {"source": "digits", "augment": {"crop_padding": 2**62}},
        "augment_flip_string": {"source": "digits", "augment": {"flip": "yes"}},
        "shapes_count_huge": {"source": "shapes", "shapes_count": 2**62},
        "folder_missing": {"source": "folder", "path": "no/such/folder"},
        "folder_is_file": {"source": "folder", "path": "p.json"},
        "folder_path_int": {"source": "folder", "path": 5},
        "idx_missing": {"source": "idx", "images": "none.idx", "labels": "none.idx"},
        "cifar_missing": {"source": "cifar10", "path": "nothing.bin"},
        "cifar_dev_zero": {"source": "cifar10", "path": "/dev/zero"},
        "wrong_input_size": {"source": "mnist"},
        "one_class_folder": {"source": "folder", "path": "one_class"},
    }


def idx_header(dims: tuple[int, ...]) -> bytes:
    """An IDX header of unsigned bytes with `dims`."""
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)


def data_files() -> dict[str, tuple[dict[str, Any], dict[str, Writer]]]:
    """Bad data files with the data section that names them: (data section, files to write)."""
    labels = idx_header((20,)) + bytes(i % 10 for i in range(20))
    good_images = idx_header((20, 8, 8)) + bytes(20 * 64)
    idx = {"source": "idx", "images": "images.idx", "labels": "labels.idx"}
    idx_gz = dict(idx, images="images.idx.gz")
    return {
        "idx_gzip_bomb": (
            idx_gz,
            {
                "images.idx.gz": _bytes(zero_bomb(idx_header((20, 8, 8)), 3 * 2**29)),
                "labels.idx": _bytes(labels),
            },
        ),
        "idx_header_overflow": (
            idx,
            {
                "images.idx": _bytes(idx_header((65536,) * 4) + bytes(64)),
                "labels.idx": _bytes(labels),
            },
        ),
        "idx_header_2gib": (
            idx,
            {
                "images.idx": _bytes(idx_header((2**15, 2**8, 2**8)) + bytes(64)),
                "labels.idx": _bytes(labels),
            },
        ),
        "idx_truncated_header": (
            idx,
            {"images.idx": _bytes(idx_header((20, 8, 8))[:9]), "labels.idx": _bytes(labels)},
        ),
        "idx_truncated_data": (
            idx,
            {"images.idx": _bytes(good_images[:-10]), "labels.idx": _bytes(labels)},
        ),
        "idx_trailing_data": (
            idx,
            {"images.idx": _bytes(good_images + b"extra"), "labels.idx": _bytes(labels)},
        ),
        "idx_wrong_magic": (
            idx,
            {"images.idx": _bytes(b"\x01\x02" + good_images[2:]), "labels.idx": _bytes(labels)},
        ),
        "idx_float_type": (
            idx,
            {
                "images.idx": _bytes(b"\x00\x00\x0d\x03" + good_images[4:]),
                "labels.idx": _bytes(labels),
            },
        ),
        "idx_label_count": (
            idx,
            {"images.idx": _bytes(good_images), "labels.idx": _bytes(labels[:-5])},
        ),
        "idx_corrupt_gzip": (
            idx_gz,
            {
                "images.idx.gz": _bytes(gzip.compress(good_images)[:-30] + b"garbage"),
                "labels.idx": _bytes(labels),
            },
        ),
        "idx_fifo": (dict(idx, images="fifo.idx"), {"labels.idx": _bytes(labels)}),
        "idx_dev_zero": (dict(idx, images="/dev/zero"), {"labels.idx": _bytes(labels)}),
        "cifar_truncated": (
            {"source": "cifar10", "path": "data_batch_1.bin"},
            {"data_batch_1.bin": _bytes(bytes(3073 * 2 + 7))},
        ),
        "cifar_bad_label": (
            {"source": "cifar10", "path": "data_batch_1.bin"},
            {"data_batch_1.bin": _bytes((b"\xff" + bytes(3072)) * 4)},
        ),
        "folder_png_bomb": (
            {"source": "folder", "path": "imgs"},
            {
                "imgs/a/bomb.png": _png_bomb,
                "imgs/a/ok.png": _png_small,
                "imgs/b/ok.png": _png_small,
            },
        ),
        "folder_corrupt_png": (
            {"source": "folder", "path": "imgs"},
            {
                "imgs/a/bad.png": _bytes(b"\x89PNG\r\n\x1a\nnot really"),
                "imgs/a/ok.png": _png_small,
                "imgs/b/ok.png": _png_small,
            },
        ),
        "folder_empty_png": (
            {"source": "folder", "path": "imgs"},
            {"imgs/a/zero.png": _bytes(b""), "imgs/b/ok.png": _png_small},
        ),
    }


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, rows: Callable[[], bytes]) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows())
        + _png_chunk(b"IEND", b"")
    )


def _png_bomb(path: Path) -> None:
    """A PNG whose header declares 20000×10000 pixels (200 MB decoded) over a tiny first row."""
    path.write_bytes(_png(20000, 10000, lambda: zlib.compress(bytes(20001))))


def _png_small(path: Path) -> None:
    path.write_bytes(_png(8, 8, lambda: zlib.compress(bytes(9 * 8))))


def evil_pickle(path: Path) -> None:
    """A .pt file whose pickle would create MARKER if anything unpickled it without weights_only."""
    import pickle

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {MARKER}",)

    path.write_bytes(pickle.dumps({"conv1.weight": Payload()}))


def object_archive(path: Path) -> None:
    """A torch.save archive of an object besides its tensor (a weights-only load refuses it)."""
    import torch

    torch.save({"conv1.weight": torch.zeros(4, 1, 3, 3), "extra": Fraction(1, 3)}, path)


USER_MODULE = """from torch import nn


class Gate(nn.Module):
    # the user's own layer, imported by the exported code

    def forward(self, x):
        return x
"""
"""A user's module file that a project's custom node imports (an export must never replace it)."""


def injection_strings() -> dict[str, str]:
    """Strings that would run code if pasted into generated Python unescaped."""
    payload = f'__import__("os").system("touch {MARKER}")'
    return {
        "docstring_break": f'y"""; {payload} #',
        "single_docstring_break": f"y'''; {payload} #",
        "newline_statement": f"x\n{payload}\n",
        "trailing_backslash": "ends with \\",
        "named_escape": "bad \\N{ escape",
        "nul": "a\x00b",
        "lone_surrogate": "a\ud800b",
        "shadow_torch": "torch",
        "shadow_nn": "nn",
        "shadow_F": "F",
    }
