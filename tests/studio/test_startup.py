"""The window shows before torch has loaded: every panel says what is pending, and the first
analysis fills them in once a background thread has imported torch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.format import PENDING
from studio import engine
from studio.engine import EngineLoader

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def slow_engine(tmp_path, monkeypatch):
    """The window's loader, deferred on a stand-in module that takes a moment to import (torch
    itself is already loaded in the test process)."""
    (tmp_path / "stand_in_engine.py").write_text("import time\ntime.sleep(0.3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "stand_in_engine", raising=False)
    loader = EngineLoader("stand_in_engine")
    loader.defer()
    monkeypatch.setattr(engine, "_LOADER", loader)
    return loader


def _problem_lines(window) -> list[str]:
    problems = window.problems
    return [problems.item(i).text() for i in range(problems.count())]


def test_window_shows_pending_figures_until_the_engine_has_loaded(make_window, slow_engine, qtbot):
    window = make_window()
    doc = window.doc
    assert doc.analysis.pending and not doc.analysis.ok
    node = next(iter(window.scene.nodes.values()))
    assert node.shape_text == PENDING
    assert _problem_lines(window) == ["Analysing the network: PyTorch is loading…"]
    totals = window.analysis_panel.model.rows[-1][1]
    assert [text for text, _ in totals[3:5]] == [PENDING, PENDING]
    settings = window.training_ui.data.training
    assert "PyTorch is loading" in settings.machine.text()
    assert not settings.editors["all_gpus"].isEnabled()

    with qtbot.waitSignal(slow_engine.ready, timeout=10_000):
        slow_engine.start()
    qtbot.waitUntil(lambda: not doc.analysis.pending)
    assert doc.analysis.ok
    assert node.shape_text not in ("", PENDING)
    qtbot.waitUntil(lambda: _problem_lines(window)[-1].startswith("No problems"))
    qtbot.waitUntil(lambda: window.analysis_panel.model.rows[-1][1][3][0] not in ("", PENDING))
    assert settings.machine.text().startswith("this machine:")


def test_an_edit_while_loading_stays_pending_and_is_analysed_after(make_window, slow_engine, qtbot):
    window = make_window()
    doc = window.doc
    conv = next(n for n in doc.project.graph.nodes.values() if n.block == "conv2d")
    assert doc.set_params([conv.id], {"out_channels": 12}) is None
    qtbot.wait(10)
    assert doc.analysis.pending  # the edit did not block the window on torch
    with qtbot.waitSignal(slow_engine.ready, timeout=10_000):
        slow_engine.start()
    qtbot.waitUntil(lambda: not doc.analysis.pending)
    assert doc.analysis.nodes[conv.id].out_shape[0] == 12


def test_ready_is_emitted_by_the_gui_thread_not_the_loading_thread(slow_engine, qtbot):
    """Emitting from the loading thread while a slot of `ready` disconnects itself on the GUI
    thread deadlocked Qt's connection lock against the GIL (1 start in 44 under load)."""
    import threading

    from PySide6.QtCore import Qt

    emitted_on: list[bool] = []
    slow_engine.ready.connect(
        lambda: emitted_on.append(threading.current_thread() is threading.main_thread()),
        Qt.ConnectionType.DirectConnection,  # runs in whichever thread emits
    )
    with qtbot.waitSignal(slow_engine.ready, timeout=10_000):
        slow_engine.start()
    assert emitted_on == [True]


def test_a_loader_that_is_not_deferred_is_ready_at_once():
    import runtime.shape_probe  # noqa: F401 - loaded, as after any analysis in this process

    loader = EngineLoader()
    assert loader.is_ready()
    loader.defer()  # the shape prober is already imported in this process: nothing to wait for
    assert loader.is_ready()


def test_the_app_shows_its_window_before_importing_torch(tmp_path):
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    out = subprocess.run(
        [sys.executable, "-m", "runtime", "open", "--report-startup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    assert report["torch_loaded_when_shown"] == "False"
    assert float(report["analysed_at"]) >= float(report["shown_at"])


def test_nn_module_attributes_match_the_installed_torch():
    from torch import nn

    from runtime.naming import NN_MODULE_ATTRIBUTES, name_problem

    assert set(dir(nn.Module)) == NN_MODULE_ATTRIBUTES
    assert name_problem("forward") is not None
