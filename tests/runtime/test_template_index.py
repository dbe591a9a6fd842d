"""The template index: current for every bundled template, tolerant of damage, read by the
gallery."""

from __future__ import annotations

import json
import shutil

import pytest

from runtime.zoo import TEMPLATES
from runtime.zoo.__main__ import main as zoo_main
from runtime.zoo.generate import TEMPLATE_DIR
from runtime.zoo.index import INDEX_PATH, build_index, indexed_macs, read_index, stale_entries


def test_committed_index_is_current_for_every_template():
    """Run `python -m runtime.zoo` after changing a template: the index must match every file."""
    stale = stale_entries()
    assert stale == [], f"template index stale for {stale}: run `python -m runtime.zoo`"
    assert set(read_index()) == set(TEMPLATES)


def test_index_figures_are_the_analysed_ones():
    """The indexed figures are those of the analysis (LeNet-5: 61,706 parameters)."""
    index = read_index()
    assert index["lenet5"].params == 61_706
    assert index["lenet5"].macs == build_index()["templates"]["lenet5"]["macs"]


def test_an_edited_template_is_no_longer_covered(tmp_path):
    """A template file that changed after indexing gets no figure from the index."""
    copy = tmp_path / "lenet5.json"
    shutil.copy(TEMPLATE_DIR / "lenet5.json", copy)
    index = read_index()
    assert indexed_macs(index, "lenet5", copy) == index["lenet5"].macs
    copy.write_text(copy.read_text(encoding="utf-8").replace("LeNet-5", "LeNet-6"), "utf-8")
    assert indexed_macs(index, "lenet5", copy) is None
    assert indexed_macs(index, "lenet5", tmp_path / "missing.json") is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"\xff\xfe",
        b"[]",
        json.dumps({"format": "other", "version": 1, "templates": {}}).encode(),
        json.dumps(
            {"format": "convstudio-template-index", "version": 99, "templates": {}}
        ).encode(),
        json.dumps({"format": "convstudio-template-index", "version": 1, "templates": []}).encode(),
        b" " * (2 << 20),
    ],
)
def test_a_damaged_index_is_ignored(tmp_path, content):
    """The index is only a cache: a damaged one reads as empty rather than failing the gallery."""
    path = tmp_path / "template_index.json"
    path.write_bytes(content)
    assert read_index(path) == {}


def test_malformed_entries_are_dropped(tmp_path):
    """Entries with a missing digest or a negative, boolean or text figure are left out."""
    good = {"sha256": "ab", "params": 1, "macs": 2}
    doc = {
        "format": "convstudio-template-index",
        "version": 1,
        "templates": {
            "good": good,
            "no_digest": {"params": 1, "macs": 2},
            "negative": {**good, "macs": -1},
            "boolean": {**good, "params": True},
            "text": {**good, "macs": "2"},
        },
    }
    path = tmp_path / "template_index.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert list(read_index(path)) == ["good"]


def test_regenerating_into_another_folder_leaves_the_bundled_index_alone(tmp_path):
    """`--out` elsewhere writes no index unless `--index` names one."""
    before = INDEX_PATH.read_bytes()
    assert zoo_main(["--out", str(tmp_path / "t"), "--index", str(tmp_path / "i.json")]) == 0
    assert set(read_index(tmp_path / "i.json")) == set(TEMPLATES)
    assert INDEX_PATH.read_bytes() == before
