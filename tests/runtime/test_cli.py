"""The convstudio command: blocks, summary, export, and one-line errors."""

import json
import subprocess
import sys

import pytest

from runtime.cli import main
from tests.runtime.test_project_file import LENET


def test_blocks_lists_catalogue(capsys):
    assert main(["blocks"]) == 0
    out = capsys.readouterr().out
    assert "Convolution:" in out and "depthwise_separable_conv" in out and "block types" in out


def test_summary_table(capsys):
    assert main(["summary", str(LENET), "--batch", "32"]) == 0
    out = capsys.readouterr().out
    assert "conv2" in out and "16×10×10" in out and "61,706 trainable" in out and "batch 32" in out


def test_summary_json_and_input_override(capsys):
    assert main(["summary", str(LENET), "--format", "json", "--input", "1x32x32"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["input_shape"] == [1, 32, 32]
    fc1 = next(layer for layer in doc["layers"] if layer["name"] == "fc1")
    assert fc1["params"] == 576 * 120 + 120
    assert doc["totals"]["flops"] == 2 * doc["totals"]["macs"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["summary", "missing.json"], "missing.json: does not exist"),
        (["summary", str(LENET), "--input", "3x32"], "is not C×H×W"),
        (["summary", str(LENET), "--batch", "0"], "--batch must be at least 1"),
    ],
)
def test_errors_are_one_line(args, message, capsys):
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith("convstudio: error:")


def test_bad_json_and_invalid_graph(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("[1,")
    assert main(["summary", str(bad)]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    doc = json.loads(LENET.read_text())
    doc["edges"] = [e for e in doc["edges"] if e["to"] != doc["nodes"][4]["id"]]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc))
    assert main(["summary", str(broken)]) == 1
    assert "conv2" in capsys.readouterr().out
    assert main(["export", str(broken), "-o", str(tmp_path / "x.py")]) == 1
    assert "needs an input but has none" in capsys.readouterr().err
    assert not (tmp_path / "x.py").exists()


def test_export_python(tmp_path, capsys):
    out = tmp_path / "net.py"
    assert main(["export", str(LENET), "-o", str(out)]) == 0
    assert "class LeNet5" in out.read_text()


def test_no_traceback_from_real_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "runtime", "summary", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "does not exist" in result.stderr
