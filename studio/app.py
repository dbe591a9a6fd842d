"""Building and running the ConvStudio application."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from runtime.errors import ConvStudioError
from runtime.installed import is_installed_file
from runtime.project import Project, load_project
from studio.engine import engine_loader
from studio.main_window import MainWindow
from studio.paths import DEFAULT_PROJECT, AppPaths
from studio.user_blocks import library_for

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


def open_for_editing(path: str | Path | None) -> Project:
    """The project to start on: the file at `path`, or an untitled copy of the default project.
    ConvStudio's own files (templates) are opened as untitled copies, so that Save asks where to."""
    project = load_project(DEFAULT_PROJECT if path is None else path)
    if path is None:
        project.path = None
    return as_untitled_if_installed(project)


def as_untitled_if_installed(project: Project) -> Project:
    """`project` detached from its file when that file is one of ConvStudio's own."""
    if project.path is not None and is_installed_file(project.path):
        project.path = None
    return project


def run(
    path: str | Path | None = None,
    paths: AppPaths | None = None,
    report_startup: bool = False,
    project: Project | None = None,
) -> int:
    """Open the window on `project`, else on the file at `path` (None: the default project,
    untitled), and run the event loop; returns the exit code."""
    app = application()
    loader = engine_loader()
    loader.defer()  # torch loads behind the shown window
    paths = paths or AppPaths.default()
    library_for(paths.data_dir)  # the user's blocks first: a project's embedded copies yield
    project = as_untitled_if_installed(project) if project else open_for_editing(path)
    window = build_window(paths, project)
    window.show()
    window.view.fit()
    QTimer.singleShot(0, lambda: _shown(window, report_startup))
    return app.exec()


def _shown(window: MainWindow, report_startup: bool) -> None:
    """The window is up: paint it, then load torch behind it (and, for bench_startup, report)."""
    QApplication.processEvents()
    if report_startup:
        print(f"shown_at={time.time():.6f}", flush=True)
        print(f"torch_loaded_when_shown={'torch' in sys.modules}", flush=True)
    engine_loader().start()
    if report_startup:
        _report_and_quit(window)
    else:
        window.files.offer_recovery()


def _report_and_quit(window: MainWindow) -> None:
    """Print the wall-clock time at which the first analysis (torch loaded) was on screen, then
    quit (bench_startup)."""
    window.autosaver.timer.stop()
    window.doc.undo_stack.setClean()

    def finish() -> None:
        QApplication.processEvents()
        print(f"analysed_at={time.time():.6f}", flush=True)
        QApplication.quit()

    engine_loader().when_ready(finish)  # the document's analysis is connected first


__all__ = ["application", "build_window", "open_for_editing", "run", "ConvStudioError"]
