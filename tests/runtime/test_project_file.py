"""Project files: round trips, migration, unknown fields, atomic saves, and hostile input."""

import contextlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.errors import ProjectFileError
from runtime.project import Project, load_project, loads_project

LENET = Path(__file__).resolve().parents[2] / "assets" / "templates" / "lenet5.json"


def test_round_trip_is_identical(tmp_path):
    project = load_project(LENET)
    out = project.save(tmp_path / "copy.json")
    again = load_project(out)
    assert again.to_json() == project.to_json()
    assert [n.name for n in again.graph.nodes.values()] == [
        n.name for n in project.graph.nodes.values()
    ]


def test_unknown_optional_fields_are_kept(tmp_path):
    doc = json.loads(LENET.read_text())
    doc["future_top"] = {"a": 1}
    doc["nodes"][1]["colour"] = "teal"
    p = loads_project(json.dumps(doc))
    saved = json.loads(p.to_json())
    assert saved["future_top"] == {"a": 1}
    assert saved["nodes"][1]["colour"] == "teal"


def test_version_0_is_migrated():
    doc = json.loads(LENET.read_text())
    doc["version"] = 0
    doc["input"] = [1, 28, 28]
    doc["edges"] = [
        {"source": e["from"], "target": e["to"], "slot": e["port"]} for e in doc["edges"]
    ]
    p = loads_project(json.dumps(doc))
    assert p.input_shape == (1, 28, 28)
    assert len(p.graph.edges) == len(json.loads(LENET.read_text())["edges"])


def test_newer_version_is_refused_with_advice():
    doc = json.loads(LENET.read_text())
    doc["version"] = 99
    with pytest.raises(ProjectFileError, match="newer ConvStudio"):
        loads_project(json.dumps(doc))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format="other"), "not a ConvStudio project"),
        (lambda d: d["nodes"][1].update(block="conv9d"), "unknown block type 'conv9d'"),
        (
            lambda d: d["nodes"][1]["params"].update(kernel_size=-3),
            "kernel_size: must be at least 1",
        ),
        (lambda d: d["edges"].append({"from": "n9", "to": "nope"}), "does not exist"),
        (lambda d: d["edges"].append(dict(d["edges"][0])), "already connected"),
        (lambda d: d.update(input={"channels": 0, "height": 28, "width": 28}), "input.channels"),
        (lambda d: d["nodes"].append(dict(d["nodes"][0])), "already used"),
    ],
)
def test_structural_errors_name_the_fault(mutate, message):
    doc = json.loads(LENET.read_text())
    mutate(doc)
    with pytest.raises(ProjectFileError, match=message):
        loads_project(json.dumps(doc))


def test_cycle_in_file_is_refused():
    doc = json.loads(LENET.read_text())
    doc["edges"].append({"from": doc["nodes"][3]["id"], "to": doc["nodes"][2]["id"], "port": 1})
    with pytest.raises(ProjectFileError, match="edges"):
        loads_project(json.dumps(doc))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProjectFileError, match="does not exist"):
        load_project(tmp_path / "none.json")
    with pytest.raises(ProjectFileError, match="is a folder"):
        load_project(tmp_path)


def test_bad_json_and_nan(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    with pytest.raises(ProjectFileError, match="not valid JSON.*line 1") as info:
        load_project(bad)
    assert info.value.path == bad
    with pytest.raises(ProjectFileError):
        loads_project('{"format": "convstudio-project", "version": NaN}')


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "p.json"
    project = load_project(LENET)
    project.save(target)
    before = target.read_text()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    project.name = "Changed"
    with pytest.raises(ProjectFileError, match="No space left"):
        project.save(target)
    assert target.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]


def test_save_without_path():
    with pytest.raises(ProjectFileError, match="no file yet"):
        Project().save()


VALID = LENET.read_bytes()
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_only_raise_project_errors(data):
    with pytest.raises(ProjectFileError):
        loads_project(data)


@settings(max_examples=150, deadline=None)
@given(_json)
def test_random_json_only_raises_project_errors(value):
    with pytest.raises(ProjectFileError):
        loads_project(json.dumps(value))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_valid_files_load_or_raise_project_errors(data):
    doc = json.loads(VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        target = data.draw(st.sampled_from(["top", "node", "params", "edge"]))
        value = data.draw(_json)
        if target == "top":
            doc[data.draw(st.sampled_from(sorted(doc) + ["extra"]))] = value
        elif target == "node":
            node = (
                data.draw(st.sampled_from(doc["nodes"]))
                if isinstance(doc.get("nodes"), list) and doc["nodes"]
                else {}
            )
            if isinstance(node, dict):
                node[
                    data.draw(st.sampled_from(["id", "block", "name", "params", "position", "x"]))
                ] = value
        elif target == "params":
            nodes = doc.get("nodes")
            if (
                isinstance(nodes, list)
                and len(nodes) >= 2
                and isinstance(nodes[-2], dict)
                and isinstance(nodes[-2].get("params"), dict)
            ):
                nodes[-2]["params"][data.draw(st.sampled_from(["out_features", "bias", "zz"]))] = (
                    value
                )
        else:
            edges = doc.get("edges")
            if isinstance(edges, list) and edges and isinstance(edges[0], dict):
                edges[0][data.draw(st.sampled_from(["from", "to", "port"]))] = value
    with contextlib.suppress(ProjectFileError):
        loads_project(json.dumps(doc))
