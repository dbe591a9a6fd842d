"""Shared builders of the corpus: the Case record, the small valid project every bad input starts
from, and writers that put a document, text or bytes at a path (edited copies of the project too).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

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


def json_file(doc: Any) -> Writer:
    """A writer of `doc` as JSON."""
    return lambda path: path.write_text(json.dumps(doc), encoding="utf-8")


def text_file(text: str, encoding: str = "utf-8") -> Writer:
    """A writer of `text` in `encoding` (lone surrogates pass through)."""
    return lambda path: path.write_bytes(text.encode(encoding, "surrogatepass"))


def bytes_file(data: bytes) -> Writer:
    """A writer of `data` as it is."""
    return lambda path: path.write_bytes(data)


def edited(edit: Callable[[dict[str, Any]], None], base: dict[str, Any] | None = None) -> Writer:
    """A writer of the base project (or `base`) after `edit`."""
    doc = copy.deepcopy(base or tiny_project())
    edit(doc)
    return json_file(doc)


def raw_json(edit: Callable[[str], str]) -> Writer:
    """The base project's JSON after a textual edit (numbers JSON writers would not produce)."""
    return text_file(edit(json.dumps(tiny_project())))


def node_param(node: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit setting parameter `key` of node number `node` to `value`."""

    def edit(doc: dict[str, Any]) -> None:
        doc["nodes"][node]["params"][key] = value

    return edit


def set_value(*keys_and_value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit setting the value at the path of keys (the last argument is the value)."""
    *keys, value = keys_and_value

    def edit(doc: dict[str, Any]) -> None:
        target = doc
        for key in keys[:-1]:
            target = target.setdefault(key, {}) if isinstance(target, dict) else target[key]
        target[keys[-1]] = value

    return edit


def with_node(block: str, params: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """Put one `block` node with `params` between relu1 and flatten1."""

    def edit(doc: dict[str, Any]) -> None:
        doc["nodes"].append(
            {"id": "x", "block": block, "name": "probe", "params": params, "position": [9, 9]}
        )
        doc["edges"] = [e for e in doc["edges"] if e["from"] != "n3"]
        doc["edges"] += [{"from": "n3", "to": "x", "port": 0}, {"from": "x", "to": "n4", "port": 0}]

    return edit


HUGE = 10**400
"""Past every integer limit, and past a float (10**400 overflows to inf)."""
