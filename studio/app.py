"""Building and running the ConvStudio application."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from runtime.errors import ConvStudioError
from runtime.project import Project, load_project
from studio.main_window import MainWindow
from studio.paths import AppPaths

from studio.insight import install as install_insight
from studio.model_import import install_model_import
from studio.training import install as install_training


def application() -> QApplication:
    """The QApplication (created once)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ConvStudio")
    app.setOrganizationName("ConvStudio")
    return app


def build_window(paths: AppPaths, project: Project | None = None) -> MainWindow:
    """The main window with every panel installed (training panels included)."""
    window = MainWindow(paths, project)
    install_training(window)
    install_insight(window)
    install_model_import(window)
    window.remember_default_layout()
    window.restore_layout()
    return window


def run(path: str | Path, paths: AppPaths | None = None, report_startup: bool = False) -> int:
    """Open the window on the project at `path` and run the event loop; returns the exit code."""
    app = application()
    paths = paths or AppPaths.default()
    project = load_project(path)
    window = build_window(paths, project)
    window.show()
    window.view.fit(readable=True)
    if report_startup:
        QTimer.singleShot(0, lambda: _report_and_quit(window))
    else:
        QTimer.singleShot(0, window.files.offer_recovery)
    return app.exec()


def _report_and_quit(window: MainWindow) -> None:
    """Print the wall-clock time at which the window was shown and painted, then quit (bench_startup)."""
    QApplication.processEvents()
    print(f"shown_at={time.time():.6f}", flush=True)
    window.autosaver.timer.stop()
    window.doc.undo_stack.setClean()
    QApplication.quit()


__all__ = ["application", "build_window", "run", "ConvStudioError"]
