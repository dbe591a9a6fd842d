"""ConvStudio's own files are never the user's: templates open as untitled copies; Ctrl+S asks."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from runtime.installed import INSTALL_ROOT, OWN_FOLDERS
from studio.app import open_for_editing
from studio.paths import DEFAULT_PROJECT, TEMPLATES
from tests.studio.helpers import activate, drag, focus, node_centre


def _installed_state() -> dict[str, tuple[str, int]]:
    """Digest and mode of every file ConvStudio ships (code, templates, bundled data)."""
    state = {}
    for folder in OWN_FOLDERS:
        for path in (INSTALL_ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                state[str(path)] = (
                    hashlib.sha256(path.read_bytes()).hexdigest(),
                    path.stat().st_mode,
                )
    return state


def _move_a_node_and_press_ctrl_s(qtbot, window, monkeypatch, answer: str) -> list[str]:
    """Drag conv1, press Ctrl+S; the save dialog answers `answer`; returns what it was asked."""
    asked = []

    def dialog(parent, title, folder, filters):
        asked.append(folder)
        return answer, filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    node = window.doc.project.graph.by_name("conv1").id
    activate(qtbot, window)
    start = node_centre(window, node)
    drag(window, start, start + QPoint(120, 40))
    assert window.isWindowModified()
    focus(qtbot, window.view)
    qtbot.keyClick(window.view, Qt.Key_S, Qt.ControlModifier)
    return asked


def test_the_default_project_opens_untitled_and_ctrl_s_asks_where(
    make_window, qtbot, monkeypatch, tmp_path
):
    before = _installed_state()
    window = make_window(open_for_editing(None))
    assert window.doc.project.path is None and "not saved" in window.windowTitle()
    target = tmp_path / "mine.json"
    asked = _move_a_node_and_press_ctrl_s(qtbot, window, monkeypatch, str(target))
    assert asked == [str(Path.home())]
    assert target.is_file() and window.doc.project.path == target
    assert _installed_state() == before


def test_a_template_opened_by_path_is_a_copy_and_cancel_writes_nothing(
    make_window, qtbot, monkeypatch
):
    before = _installed_state()
    window = make_window(open_for_editing(TEMPLATES / "resnet20_cifar.json"))
    assert window.doc.project.path is None
    window.files.load(DEFAULT_PROJECT)  # File ▸ Open on the installed template: still a copy
    assert window.doc.project.path is None
    asked = _move_a_node_and_press_ctrl_s(qtbot, window, monkeypatch, "")
    assert len(asked) == 1 and window.isWindowModified()
    assert _installed_state() == before


def test_saving_or_exporting_into_installed_files_is_refused(window, tmp_path):
    before = _installed_state()
    messages = []
    window.tell = lambda title, text: messages.append(text)
    assert not window.files.save_as(DEFAULT_PROJECT)
    assert not window.files.save_as(INSTALL_ROOT / "runtime" / "planted.json")
    assert not window.files.export("python", INSTALL_ROOT / "studio" / "planted.py")
    assert len(messages) == 3 and all("ConvStudio's own installed files" in m for m in messages)
    assert _installed_state() == before
    window.doc.project.path = DEFAULT_PROJECT  # even a project that claims the template as its file
    assert window.files.save_as(tmp_path / "elsewhere.json")
    assert _installed_state() == before
