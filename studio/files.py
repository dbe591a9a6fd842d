"""File operations of the window: new, open, recent, templates, save, export, recovery,
unsaved-changes check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSettings, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QFileDialog, QMessageBox

from runtime.atomic_write import write_atomic
from runtime.errors import ConvStudioError
from runtime.installed import is_installed_file
from runtime.naming import file_stem
from runtime.project import Project, load_project
from studio.context import EditorContext
from studio.image_file import save_png
from studio.paths import TEMPLATES
from studio.recovery import Autosaver, left_by_crashes, read_recovery

PROJECT_FILTER = "ConvStudio projects (*.json)"
MAX_RECENT = 10


class Files:
    """Opening, saving and exporting for one window; dialogs only when no path is given."""

    def __init__(
        self,
        ctx: EditorContext,
        settings: QSettings,
        autosaver: Autosaver,
        retitle: Callable[[], None],
    ) -> None:
        self.ctx = ctx
        self.doc = ctx.doc
        self.settings = settings
        self.autosaver = autosaver
        self.retitle = retitle
        """Refresh the window title (file name, unsaved marker)."""

    # ----- replacing the project ------------------------------------------------------
    def new(self) -> None:
        """Start an empty project (after asking about unsaved changes)."""
        if self.maybe_save():
            self.doc.replace(Project())

    def open(self, path: str | Path | None = None) -> bool:
        """Open a project file; a file that fails to load leaves the current project untouched."""
        if not self.maybe_save():
            return False
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.ctx.parent, "Open project", self.folder(), PROJECT_FILTER
            )
            if not path:
                return False
        return self.load(Path(path))

    def load(self, path: Path, as_template: bool = False) -> bool:
        """Load without asking; errors are shown, the current project stays. ConvStudio's own
        files (templates) always open as untitled copies, so that saving asks where to."""
        try:
            project = load_project(path)
        except ConvStudioError as exc:
            self.ctx.tell("Cannot open project", str(exc))
            return False
        if as_template or is_installed_file(path):
            project.path = None
        else:
            self.remember(path)
        self.doc.replace(project)
        return True

    def open_recent(self, path: str | Path) -> bool:
        """Open an entry of File > Open Recent; one that no longer exists is explained and dropped
        from the list."""
        path = Path(path)
        if not path.is_file():
            self.forget(path)
            self.ctx.tell(
                "Cannot open recent project",
                f"{path} no longer exists (moved or deleted); it was removed from Open Recent.",
            )
            return False
        return self.open(path)

    def open_template(self, path: Path) -> bool:
        """Start a new, unsaved project from a template."""
        return self.maybe_save() and self.load(path, as_template=True)

    def open_dropped(self, paths: list[str]) -> None:
        """Open the first dropped .json file."""
        for path in paths:
            if path.lower().endswith(".json"):
                self.open(path)
                return
        if paths:
            self.ctx.status("Only ConvStudio project files (.json) can be dropped here")

    def offer_recovery(self, ask: Callable[[str], bool] | None = None) -> bool:
        """Offer the work of each window that crashed (newest first) until one is restored; True
        when one is. A declined or unreadable recovery file is removed; the rest wait for the next
        start."""
        ask = ask or self._ask_recover
        for file in left_by_crashes(self.autosaver.file.parent):
            found = read_recovery(file)
            if found is None:
                file.unlink(missing_ok=True)
                continue
            project, origin = found
            if origin is not None and is_installed_file(origin):
                origin = None  # work begun on a template is restored as an untitled copy
            if not ask(
                f"ConvStudio did not close cleanly. Restore the unsaved changes to "
                f"'{project.name}'{f' ({origin})' if origin else ''}?"
            ):
                file.unlink(missing_ok=True)
                continue
            project.path = origin
            self.doc.replace(project)
            self.doc.undo_stack.resetClean()  # it differs from its file: unsaved until saved
            self.retitle()
            self.autosaver.save_now()  # the restored work is safe in this window's own file
            file.unlink(missing_ok=True)
            return True
        return False

    def _ask_recover(self, message: str) -> bool:
        answer = QMessageBox.question(
            self.ctx.parent,
            "Recover unsaved work",
            message,
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.Yes,
        )
        return answer == QMessageBox.Yes

    # ----- saving -------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the project's file (Save As when it has none, or when it is one of ConvStudio's
        own)."""
        path = self.doc.project.path
        if path is None or is_installed_file(path):
            return self.save_as()
        return self._save_to(path)

    def save_as(self, path: str | Path | None = None) -> bool:
        """Save to a new file."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self.ctx.parent, "Save project", self.folder(), PROJECT_FILTER
            )
            if not path:
                return False
            path = path if path.endswith(".json") else path + ".json"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        if is_installed_file(path):
            self.ctx.tell(
                "Cannot save project",
                f"{path} is one of ConvStudio's own installed files; "
                f"save the project somewhere else.",
            )
            return False
        project = self.doc.project
        if project.path is None and project.name == Project.name:
            self.doc.rename_project(path.stem)  # an untitled project is named after its first file
        try:
            project.save(path)
        except ConvStudioError as exc:
            self.ctx.tell("Cannot save project", str(exc))
            return False
        self.doc.undo_stack.setClean()
        self.remember(path)
        self.retitle()
        self.ctx.status(f"Saved {path}")
        return True

    def maybe_save(self) -> bool:
        """With unsaved changes, ask Save / Discard / Cancel; False means stop what you were
        doing."""
        if self.doc.undo_stack.isClean():
            return True
        answer = QMessageBox.question(
            self.ctx.parent,
            "Unsaved changes",
            f"Save the changes to '{self.doc.project.name}'?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
            QMessageBox.Save,
        )
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    # ----- recent files and templates -------------------------------------------------------
    def recent_files(self) -> list[Path]:
        """Recently opened or saved files, newest first."""
        value = self.settings.value("recent", []) or []
        return [Path(v) for v in ([value] if isinstance(value, str) else value)]

    def remember(self, path: Path) -> None:
        """Put `path` first in the recent-files list."""
        path = Path(path).resolve()
        recent = [p for p in self.recent_files() if p != path]
        self._set_recent([path, *recent][:MAX_RECENT])

    def forget(self, path: Path) -> None:
        """Drop `path` from the recent-files list."""
        gone = {Path(path), Path(path).resolve()}
        self._set_recent([p for p in self.recent_files() if p not in gone])

    def _set_recent(self, paths: list[Path]) -> None:
        """Store the list (written at once, so that another window or the next run sees it)."""
        self.settings.setValue("recent", [str(p) for p in paths])
        self.settings.sync()

    def folder(self) -> str:
        """Where file dialogs start: the project's folder; for an unsaved project the folder of the
        project saved or opened last (the home folder when there is none)."""
        path = self.doc.project.path
        if path is not None and not is_installed_file(path):
            return str(path.parent)
        for recent in self.recent_files():
            if recent.parent.is_dir():
                return str(recent.parent)
        return str(Path.home())

    @staticmethod
    def templates() -> list[tuple[str, Path]]:
        """(display name, path) of every bundled template, by name."""
        found = []
        for path in sorted(TEMPLATES.glob("*.json")):
            try:
                name = json.loads(path.read_text(encoding="utf-8")).get("name", path.stem)
            except (OSError, ValueError, AttributeError):
                continue
            found.append((str(name), path))
        return sorted(found, key=lambda t: t[0].lower())

    # ----- export -------------------------------------------------------------------------
    def export(self, kind: str, path: str | Path | None = None) -> bool:
        """Export as 'python', 'onnx', 'png' or 'svg'; errors (e.g. an invalid graph) are shown."""
        suffix = {"python": "py", "onnx": "onnx", "png": "png", "svg": "svg"}[kind]
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self.ctx.parent,
                f"Export {kind}",
                str(Path(self.folder()) / f"{file_stem(self.doc.project.name)}.{suffix}"),
                f"*.{suffix}",
            )
            if not path:
                return False
        if is_installed_file(path):
            self.ctx.tell(
                "Cannot export",
                f"{path} is inside ConvStudio's own installed files; export somewhere else.",
            )
            return False
        try:
            self._export(kind, Path(path))
        except ConvStudioError as exc:
            self.ctx.tell("Cannot export", str(exc))
            return False
        self.ctx.status(f"Exported {path}")
        return True

    def _export(self, kind: str, path: Path) -> None:
        if kind == "python":
            from runtime.python_export import export_python

            export_python(self.doc.project, path)
        elif kind == "onnx":
            from runtime.onnx_export import export_onnx

            export_onnx(self.doc.project, str(path))
        elif kind == "png":
            render_png(self.ctx.scene, path)
        else:
            render_svg(self.ctx.scene, path)


def render_png(scene, path: Path, scale: float = 2.0) -> None:
    """Draw the whole graph into a PNG at `scale` pixels per scene unit."""
    rect = scene.items_rect()
    image = QImage(
        QSize(int(rect.width() * scale), int(rect.height() * scale)), QImage.Format_ARGB32
    )
    image.fill(Qt.white)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    scene.render(painter, QRectF(image.rect()), rect)
    painter.end()
    save_png(image, path)


def render_svg(scene, path: Path) -> None:
    """Draw the whole graph as SVG (QtSvg's QSvgGenerator)."""
    from PySide6.QtSvg import QSvgGenerator

    rect = scene.items_rect()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(int(rect.width()), int(rect.height())))
    generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    generator.setTitle("ConvStudio network")
    painter = QPainter(generator)
    scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    painter.end()
    buffer.close()
    write_atomic(path, bytes(data.data()))
