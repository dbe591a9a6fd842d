"""`convstudio blocks` lists the user's own blocks from their library, next to the catalogue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.cli import main
from runtime.userblocks.library import UserLibrary
from runtime.userblocks.location import app_data_dir, library_dir
from runtime.userblocks.selection import definition_from_selection
from tests.runtime.user_block_helpers import (
    WIDTH,
    double_conv_graph,
    forget_user_blocks,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.usefixtures("forget_user_blocks")
ROOT = Path(__file__).resolve().parents[2]


def _library_with_a_block(folder: Path) -> str:
    graph, inner = double_conv_graph()
    definition = definition_from_selection(graph, inner, "Double Conv", "Two convs.", WIDTH)
    library = UserLibrary(folder)
    library.add(definition)
    from runtime.userblocks import installed

    installed.uninstall(definition.id)  # the command must find it in the folder
    return definition.id


def test_blocks_lists_the_library_under_my_blocks(tmp_path, capsys):
    block_id = _library_with_a_block(tmp_path / "blocks")
    (tmp_path / "blocks" / "broken.json").write_text("{not json")
    assert main(["blocks", "--library", str(tmp_path / "blocks")]) == 0
    out, err = capsys.readouterr()
    mine = out.split("My blocks:\n", 1)[1].splitlines()
    assert mine[0].split() == [block_id, "Double", "Conv", "(width)"]
    assert f"(1 from {tmp_path / 'blocks'})" in out
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("convstudio blocks: skipped ")
    assert "broken.json" in lines[0]


def test_blocks_json_gives_the_library_blocks_their_category(tmp_path, capsys):
    block_id = _library_with_a_block(tmp_path / "blocks")
    assert main(["blocks", "--format", "json", "--library", str(tmp_path / "blocks")]) == 0
    listed = {entry["id"]: entry for entry in json.loads(capsys.readouterr().out)}
    assert listed[block_id]["category"] == "My blocks"
    assert [p["name"] for p in listed[block_id]["params"]] == ["width"]


def test_by_default_blocks_reads_the_windows_library(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert library_dir() == tmp_path / "ConvStudio" / "ConvStudio" / "blocks"
    block_id = _library_with_a_block(library_dir())
    assert main(["blocks"]) == 0
    assert block_id in capsys.readouterr().out.split("My blocks:\n", 1)[1]


QT_DATA_DIR = (
    "from PySide6.QtCore import QCoreApplication, QStandardPaths\n"
    "app = QCoreApplication([])\n"
    "app.setOrganizationName('ConvStudio'); app.setApplicationName('ConvStudio')\n"
    "print(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))\n"
)
OUR_DATA_DIR = "from runtime.userblocks.location import app_data_dir; print(app_data_dir())"


def _printed(code: str, env: dict[str, str]) -> str:
    """What `code` prints in a fresh interpreter with `env`."""
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return run.stdout.strip()


@pytest.mark.skipif(sys.platform != "linux", reason="compares with Qt on this platform")
def test_the_data_folder_is_the_one_qt_gives_the_window(tmp_path):
    for data_home in (str(tmp_path / "xdg"), None):
        env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
        if data_home:
            env["XDG_DATA_HOME"] = data_home
        assert _printed(OUR_DATA_DIR, env) == _printed(QT_DATA_DIR, env)
    assert app_data_dir().name == "ConvStudio"
