"""Fixtures for the editor tests: offscreen Qt, temporary settings and recovery folder, a LeNet
window."""

from __future__ import annotations

import gc
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from runtime.project import load_project  # noqa: E402

LENET = Path(__file__).resolve().parents[2] / "assets" / "templates" / "lenet5.json"


@pytest.fixture(autouse=True, scope="session")
def isolated_standard_paths():
    """Qt's standard locations in test mode, so that nothing a test runs touches the user's real
    settings."""
    from PySide6.QtCore import QStandardPaths

    QStandardPaths.setTestModeEnabled(True)


@pytest.fixture
def paths(tmp_path):
    """Settings and recovery file inside the test's temporary folder."""
    from studio.paths import AppPaths

    return AppPaths.under(tmp_path / "app")


@pytest.fixture
def make_window(qtbot, paths):
    """Factory: a shown main window on a project (default LeNet-5), closed without prompts
    afterwards."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication
    from studio.app import build_window

    made = []

    def make(project=None, window_paths=None):
        window = build_window(
            window_paths or paths, project if project is not None else load_project(LENET)
        )
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        window.view.fit()
        made.append(window)
        return window

    yield make
    for window in made:  # closed here, not by qtbot, so that no "unsaved changes" prompt can block
        window.doc.undo_stack.setClean()
        window.autosaver.timer.stop()
        window.close()
        window.deleteLater()
    from studio.training.sample_job import running_jobs

    for job in running_jobs():  # data panels open data sets in threads: let them end first
        job.wait(10000)
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QApplication.clipboard().clear()  # no copied nodes leak from one test into the next
    gc.collect()  # destroy the closed windows now, while Qt is fully alive


@pytest.fixture
def window(make_window):
    """A main window on LeNet-5."""
    return make_window()
