"""Untrusted reads: non-regular files refused unopened, sizes bounded, bombs defused."""

from __future__ import annotations

import json
import os
import threading
import tracemalloc

import pytest

from runtime import load_project
from runtime.data.errors import DataError
from runtime.data.idx import read_idx
from runtime.errors import ParamError, ProjectFileError
from runtime.project import loads_project
from tests.robustness.corpus import idx_header, tiny_project
from tests.robustness.deflate_bomb import zero_bomb


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    errors = []
    reader = threading.Thread(
        target=lambda: errors.append(_error_of(load_project, fifo)), daemon=True
    )
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive() and "named pipe (FIFO), not a regular file" in errors[0]


def _error_of(function, *args) -> str:
    try:
        function(*args)
    except (ProjectFileError, DataError) as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize(
    "path, words",
    [("/dev/zero", "is a device"), ("/dev/null", "is a device"), ("/", "is a folder")],
)
def test_special_files_are_refused_by_kind(path, words):
    assert words in _error_of(load_project, path)


def test_a_file_past_the_limit_is_refused_after_reading_one_byte_more(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.write(json.dumps(tiny_project()).encode())
        handle.truncate(64 * 2**20 + 1)
    tracemalloc.start()
    message = _error_of(load_project, big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "larger than 64 MiB" in message and peak < 70 * 2**20


def test_a_gzip_bomb_is_inflated_only_to_the_size_its_header_declares(tmp_path):
    bomb = tmp_path / "images.idx.gz"
    bomb.write_bytes(zero_bomb(idx_header((20, 8, 8)), 2**30))
    tracemalloc.start()
    message = _error_of(read_idx, bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "header says 20×8×8 = 1,280 values but the file holds more" in message
    assert peak < 8 * 2**20


def test_gzip_idx_within_its_header_still_loads(tmp_path):
    import gzip
    import numpy as np

    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / "ok.idx.gz"
    path.write_bytes(gzip.compress(idx_header((2, 3, 4)) + images.tobytes()))
    assert (read_idx(path) == images).all()


@pytest.mark.parametrize(
    "dims, words", [((65536,) * 4, "at most 2 GiB"), ((2**15, 2**8, 2**8), "holds 64")]
)
def test_idx_dimensions_are_multiplied_before_anything_is_allocated(tmp_path, dims, words):
    path = tmp_path / "x.idx"
    path.write_bytes(idx_header(dims) + bytes(64))
    assert words in _error_of(read_idx, path)


@pytest.mark.parametrize("number", ["1" + "0" * 400, "-" + "9" * 30, "1e400", "9" * 5000])
def test_numbers_no_setting_can_hold_are_refused_while_parsing(number):
    text = json.dumps(tiny_project()).replace('"kernel_size": 3', f'"kernel_size": {number}')
    with pytest.raises(ProjectFileError, match="is too large"):
        loads_project(text)


def test_huge_numbers_through_the_python_api_are_a_param_error():
    graph = loads_project(json.dumps(tiny_project())).graph
    with pytest.raises(ParamError, match=r"must be at most .*\(401 digits\)"):
        graph.set_params("n2", {"out_channels": 10**400})
    with pytest.raises(ParamError, match="must be at least"):
        graph.add_node("dropout", {"p": -(10**400)})


def test_version_0_files_with_edges_that_are_not_a_list_are_refused():
    doc = tiny_project(version=0, edges={"source": "n1"})
    with pytest.raises(ProjectFileError, match="'edges' must be a list, not dict"):
        loads_project(json.dumps(doc))


def test_a_negative_split_seed_is_one_line():
    from runtime.data.settings import parse_data

    with pytest.raises(DataError, match="'split_seed' must be a whole number 0–2147483647, got -1"):
        parse_data({"source": "digits", "split_seed": -1}, (1, 8, 8))
