"""Wire the Runs panel into the window: which folder it shows, and what opening, resuming,
comparing and
continuing from a run do to the editor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox, QPlainTextEdit, QVBoxLayout

from blocks.lazy import lazy
from runtime.errors import ConvStudioError
from runtime.runs.diff import Side, diff_projects
from runtime.runs.record import RunRecord, read_snapshot
from runtime.runs.snapshot import project_from_snapshot
from studio.canvas.diff_marks import clear_diff, show_diff
from studio.training.runs_panel import RunsPanel

continue_from = lazy("runtime.runs.continue_from")

if TYPE_CHECKING:
    from studio.training.installer import TrainingUI


class RunsUI(QObject):
    """The Runs panel of one window and its actions; kept as `training_ui.runs`."""

    def __init__(self, training: "TrainingUI") -> None:
        super().__init__(training)
        self.training = training
        self.window = training.window
        self.panel = RunsPanel()
        self.dock = self.window.add_panel(
            "Runs", self.panel, Qt.DockWidgetArea.BottomDockWidgetArea, "runs"
        )
        self.comparison: QDialog | None = None
        self.panel.open_requested.connect(self.open_run)
        self.panel.resume_requested.connect(self.resume_run)
        self.panel.compare_requested.connect(self.compare_run)
        self.panel.continue_requested.connect(self.continue_run)
        self.window.project_replaced.connect(self.refresh)
        self.dock.visibilityChanged.connect(lambda shown: self.refresh() if shown else None)
        training.controller.state_changed.connect(
            lambda state: self.refresh() if state != "stopping" else None
        )
        self.refresh()

    def refresh(self) -> None:
        """Show the runs of the current project (its file may have been saved elsewhere
        meanwhile)."""
        folder = self.training.runs_folder(self.window.current_project())
        if self.panel.store is None or self.panel.store.root != folder:
            self.panel.set_folder(folder)
        else:
            self.panel.refresh()

    def _snapshot(self, record: RunRecord):  # noqa: ANN202 - a Project
        assert record.folder is not None
        return project_from_snapshot(read_snapshot(record.folder), record.folder)

    def open_run(self, record: RunRecord) -> None:
        """Replace the project with the run's graph and settings, as a new untitled project."""
        try:
            project = self._snapshot(record)
        except ConvStudioError as exc:
            self.window.tell("Open run", str(exc))
            return
        if self.window.files.maybe_save():
            project.name = f"{project.name} ({record.name})"
            self.window.document().replace(project)
            self.window.show_status(f"opened run '{record.name}' as a new untitled project")

    def resume_run(self, record: RunRecord, epochs: int | None = None) -> None:
        """Train the run's graph further from its last checkpoint, as a new recorded run."""
        assert record.folder is not None
        if not (record.folder / "last.json").exists():
            self.window.tell(
                "Resume run", f"run '{record.name}' saved no checkpoint to resume from"
            )
            return
        if self.training.controller.state != "idle":
            self.window.tell("Resume run", "a run is training: stop it first")
            return
        if epochs is None:
            done = record.epochs
            epochs, ok = QInputDialog.getInt(
                self.window,
                "Resume run",
                f"'{record.name}' trained {done} epochs. Train until epoch:",
                max(done + 1, record.planned_epochs),
                done + 1,
                100000,
            )
            if not ok:
                return
        try:
            project = self._snapshot(record)
        except ConvStudioError as exc:
            self.window.tell("Resume run", str(exc))
            return
        self.training.start_project(
            project,
            resume=str(record.folder / "last.json"),
            resumed_from=record.id,
            epochs=epochs,
            runs=record.folder.parent,
        )

    def compare_run(self, record: RunRecord) -> "GraphDiffDialog | None":
        """Colour the canvas by what changed since the run and list the differences."""
        try:
            side = Side(f"run '{record.name}'", self._snapshot(record), record.best_score)
        except ConvStudioError as exc:
            self.window.tell("Compare with run", str(exc))
            return None
        diff = diff_projects(side, Side("current graph", self.window.current_project()))
        show_diff(self.window.scene, diff)
        if self.comparison is not None:
            self.comparison.close()
        self.comparison = GraphDiffDialog("\n".join(diff.lines()), self.window)
        self.comparison.finished.connect(lambda *_: clear_diff(self.window.scene))
        self.comparison.show()
        return self.comparison

    def continue_run(self, record: RunRecord) -> None:
        """Copy the run's unchanged tensors into the project's weights and save the project."""
        project = self.window.current_project()
        if project.path is None:
            self.window.tell(
                "Continue from run", "save the project first: its weights are kept beside its file"
            )
            return
        assert record.folder is not None
        try:
            report = continue_from.continue_from_run(project, record.folder, project.path)
            project.save()
        except ConvStudioError as exc:
            self.window.tell("Continue from run", str(exc))
            return
        self.window.document().undo_stack.setClean()
        QMessageBox.information(
            self.window,
            "Continue from run",
            "\n".join(report.lines()) + "\n\nThe project was saved with these weights.",
        )


class GraphDiffDialog(QDialog):
    """The text of a comparison (changes and Δ table); closing it clears the colours on the
    canvas."""

    def __init__(self, text: str, parent=None) -> None:  # noqa: ANN001 - any parent widget
        super().__init__(parent)
        self.setWindowTitle("Compare with run")
        self.text = QPlainTextEdit(text, readOnly=True)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        self.resize(560, 360)
