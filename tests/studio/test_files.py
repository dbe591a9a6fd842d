"""Files and safety: open errors, save, recent files, autosave and recovery, quitting, export,
layout memory."""

from __future__ import annotations

import json
import subprocess
import sys

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMessageBox

from runtime.project import load_project


def test_bad_files_leave_the_project_untouched(window, tmp_path):
    messages = []
    window.tell = lambda title, text: messages.append(text)
    before = window.doc.project.to_json()
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{ not json")
    unknown = tmp_path / "unknown.json"
    doc = json.loads(window.doc.project.to_json())
    doc["nodes"][1]["block"] = "warp_drive"
    unknown.write_text(json.dumps(doc))
    newer = tmp_path / "newer.json"
    doc = json.loads(window.doc.project.to_json())
    doc["version"] = 99
    newer.write_text(json.dumps(doc))
    for path in (bad_json, unknown, newer):
        assert not window.files.load(path)
    assert window.doc.project.to_json() == before
    assert "not valid JSON" in messages[0]
    assert "warp_drive" in messages[1]
    assert "newer" in messages[2]


def test_save_marks_clean_and_remembers_recent(window, tmp_path):
    window.editing.add_block("relu", QPointF(0, 0))
    assert window.isWindowModified()
    target = tmp_path / "net.json"
    assert window.files.save_as(target)
    assert not window.isWindowModified() and str(target) in window.windowTitle()
    assert load_project(target).to_json() == window.doc.project.to_json()
    assert window.recent_files()[0] == target.resolve()


def test_autosave_and_recovery_after_a_crash(make_window, paths, qtbot):
    first = make_window()
    first.autosaver.timer.setInterval(10)
    first.editing.add_block("gelu", QPointF(0, 0))
    qtbot.waitUntil(first.autosaver.file.exists, timeout=2000)
    edited = first.doc.project.to_json()
    untouched = make_window()  # a window that is still open: its work is not offered to others
    untouched.editing.add_block("relu", QPointF(0, 0))
    untouched.autosaver.save_now()
    first.autosaver.lock.unlock()  # the first window's process "crashed": nobody holds its lock now
    second = make_window()
    questions = []
    assert second.files.offer_recovery(ask=lambda text: questions.append(text) or True)
    assert second.doc.project.to_json() == edited
    assert "LeNet-5" in questions[0] and len(questions) == 1
    assert second.isWindowModified()
    assert not first.autosaver.file.exists() and second.autosaver.file.exists()
    assert untouched.autosaver.file.exists()


def test_clean_exit_removes_recovery_and_declined_recovery_is_dropped(make_window, paths, qtbot):
    window = make_window()
    window.autosaver.save_now()
    assert window.autosaver.file.exists()
    window.doc.undo_stack.setClean()
    window.close()
    assert not window.autosaver.file.exists()
    window.autosaver.save_now()  # as if it had crashed after writing (its lock is already released)
    other = make_window()
    assert not other.files.offer_recovery(ask=lambda text: False)
    assert not window.autosaver.file.exists()


def test_a_dead_windows_lock_is_cleared_and_a_live_one_kept(make_window, paths):
    live = make_window()
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    dead = paths.data_dir / "recovery-dead.lock"
    crash = (
        "import os, sys; from PySide6.QtCore import QLockFile; lock = QLockFile(sys.argv[1]); "
        "assert lock.tryLock(0); os._exit(0)"
    )  # takes the lock and dies holding it
    subprocess.run([sys.executable, "-c", crash, str(dead)], check=True, timeout=60)
    assert dead.exists()
    assert not make_window().files.offer_recovery(ask=lambda text: True)
    assert not dead.exists()
    assert live.autosaver.file.with_suffix(".lock").exists()


def test_a_corrupt_recovery_file_is_skipped(make_window, paths):
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    (paths.data_dir / "recovery-old.json").write_text("{not json", encoding="utf-8")
    window = make_window()
    assert not window.files.offer_recovery(ask=lambda text: True)
    assert not (paths.data_dir / "recovery-old.json").exists()


def test_quitting_with_unsaved_changes_asks(window, monkeypatch):
    window.editing.add_block("relu", QPointF(0, 0))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Cancel)
    assert not window.close()
    assert window.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    assert window.close()


def test_dock_layout_is_remembered(make_window, paths):
    first = make_window()
    first.docks["problems"].setFloating(True)
    first.close()
    second = make_window()
    assert second.docks["problems"].isFloating()


def test_templates_menu_lists_bundled_templates(window):
    names = [name for name, _ in window.files.templates()]
    assert "LeNet-5" in names
    path = dict(window.files.templates())["LeNet-5"]
    replaced = []
    window.project_replaced.connect(lambda: replaced.append(True))
    assert window.files.open_template(path)
    assert window.doc.project.path is None and replaced


def test_exports(window, tmp_path):
    assert window.files.export("python", tmp_path / "net.py")
    assert "class" in (tmp_path / "net.py").read_text()
    assert window.files.export("png", tmp_path / "net.png")
    assert (tmp_path / "net.png").stat().st_size > 1000
    assert window.files.export("svg", tmp_path / "net.svg")
    assert "<svg" in (tmp_path / "net.svg").read_text()


def test_public_api_for_panels(window):
    from PySide6.QtWidgets import QLabel

    dock = window.add_panel("Extra", QLabel("hi"), Qt.BottomDockWidgetArea, "extra")
    assert dock.objectName() == "extra" and window.docks["extra"] is dock
    assert window.current_project() is window.doc.project


def test_headless_cli_does_not_import_qt():
    code = "import sys, runtime.cli as c; c._parser(); print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
