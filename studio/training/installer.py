"""Wire the training panels, the controller and the Train menu into the editor's main window."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from blocks.lazy import lazy
from runtime.analysis import analyze
from runtime.errors import ConvStudioError, describe_problems
from runtime.training.machine import processes_for
from runtime.naming import file_stem
from runtime.project import Project
from runtime.runs.recorder import runs_root
from runtime.training import Finished, RunWarning, Started
from studio.paths import TEMPLATES
from studio.plugins import EditorHost
from studio.training.confusion_panel import ConfusionPanel
from studio.training.controller import TrainingController
from studio.training.data_panel import DataPanel
from studio.training.final_maps import FinalMaps, FinishedRun
from studio.training.head_offer import HeadOffer
from studio.training.histogram_panel import HistogramPanel
from studio.training.image_panel import FeatureMapPanel, FilterPanel
from studio.training.metrics_panel import MetricsPanel
from studio.training.runs_ui import RunsUI
from studio.training.segmentation_panel import SegmentationPanel
from studio.training.sweep_dialog import SweepDialog

trained_export = lazy("runtime.codegen.trained")


class TrainingUI(QObject):
    """Owns the controller and the panels of one window; kept as `window.training_ui`."""

    def __init__(self, window: EditorHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]  # the host is a QObject (the main window)
        self.window = window
        self.controller = TrainingController(self)
        self.metrics, self.maps, self.filters = MetricsPanel(), FeatureMapPanel(), FilterPanel()
        self.histograms, self.confusion = HistogramPanel(), ConfusionPanel()
        self.segmentation = SegmentationPanel()
        self.data = DataPanel(window.document())
        self.panels = (
            self.metrics,
            self.maps,
            self.filters,
            self.histograms,
            self.confusion,
            self.segmentation,
        )
        right, bottom = (
            Qt.DockWidgetArea.RightDockWidgetArea,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        for title, widget, area, name, tab in (
            ("Training", self.metrics, bottom, "training_metrics", True),
            ("Data and Settings", self.data, bottom, "training_data", True),
            ("Feature Maps", self.maps, right, "training_feature_maps", True),
            (
                "Filters",
                self.filters,
                right,
                "training_filters",
                False,
            ),  # in view together with the maps
            ("Histograms", self.histograms, bottom, "training_histograms", True),
            ("Confusion", self.confusion, right, "training_confusion", True),
            ("Segmentation", self.segmentation, right, "training_segmentation", True),
        ):
            window.add_panel(title, widget, area, name, tab)
        window.resize_panels(["inspector", "training_filters"], [560, 300], Qt.Orientation.Vertical)
        window.docks[
            "training_filters"
        ].hide()  # shown by Start: until then the editing panels get the room
        self.final_maps = FinalMaps(self)
        self.final_maps.shown.connect(self.maps.show_final)
        self.final_maps.failed.connect(self.maps.clear)
        self._probe_input = None
        self.controller.events.connect(self._events)
        self.controller.state_changed.connect(self._state)
        self.controller.head_mismatch.connect(self.offer_head_fix)
        self.head_offer: HeadOffer | None = None
        window.selection_changed.connect(self._selection)
        window.project_replaced.connect(self.data.load)
        window.project_replaced.connect(self._project_replaced)
        self._menu()
        self.data.load()
        self.runs = RunsUI(self)

    def _menu(self) -> None:
        """The Train menu."""
        menu = self.window.menuBar().addMenu("&Train")
        self.start_action = QAction(
            "&Start", self, shortcut=QKeySequence("F5"), triggered=self.start
        )
        self.pause_action = QAction(
            "&Pause", self, shortcut=QKeySequence("F6"), triggered=self.toggle_pause
        )
        self.stop_action = QAction(
            "S&top", self, shortcut=QKeySequence("Shift+F5"), triggered=self.controller.stop
        )
        self.export_action = QAction("&Export Trained Model…", self, triggered=self.export)
        self.png_action = QAction("Save Plots as &PNG…", self, triggered=self.save_png)
        self.csv_action = QAction("Save Metrics as &CSV…", self, triggered=self.save_csv)
        self.sweep_action = QAction("S&weep…", self, triggered=self.open_sweep)
        for action in (self.start_action, self.pause_action, self.stop_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.export_action, self.png_action, self.csv_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.sweep_action)
        self._state("idle")

    def start(self) -> None:
        """Train a copy of the current project, with the loss plot and the feature maps brought to
        the front. The panels keep what they show until the run has started: a run refused at once
        (a graph problem, data that does not fit) leaves the last run's curves and pictures."""
        self.final_maps.disarm()
        self._selection(self.window.selected_node_ids())
        self.start_project(self.window.current_project())

    def start_project(
        self,
        project: Project,
        resume: str | None = None,
        resumed_from: str | None = None,
        epochs: int | None = None,
        runs: Path | None = None,
    ) -> None:
        """Train a copy of `project` as a run recorded in `runs` (default: the project's runs
        folder);
        `resume` continues from a checkpoint of the run `resumed_from`. A graph with problems is
        refused here, at once, with the reason (no process starts, no panel changes)."""
        problems = analyze(project).problems
        if problems:
            reason = f"Not started: {describe_problems(problems)}"
            self.metrics.status.setText(reason)
            self.window.show_status(reason)
            return
        self.window.docks["training_filters"].show()
        front = ["training_metrics", "training_feature_maps"]
        if project.task == "segmentation":
            front.append("training_segmentation")
        for name in front:
            self.window.docks[name].raise_()
        self.metrics.starting()
        self.final_maps.disarm()
        self._probe_input = None
        overrides: dict = {} if epochs is None else {"epochs": epochs}
        processes = processes_for(project.training)
        if processes > 1:
            overrides["processes"] = processes  # torchrun on this machine, one process per GPU
        elif not project.training.get("threads"):
            # leave one core to the window so redraws never stall the training threads (or the
            # other way round)
            overrides["threads"] = max(1, (os.cpu_count() or 2) - 1)
        self.controller.start(
            project, runs or self.runs_folder(project), resume, resumed_from, **overrides
        )

    def runs_folder(self, project: Project) -> Path:
        """Where the project's runs are recorded: beside its file, or in the app's data folder for
        an untitled project, a template or a file in a folder that cannot be written."""
        fallback = self.window.paths.data_dir / "runs"
        path = project.path
        if (
            path is None
            or path.resolve().is_relative_to(TEMPLATES)
            or not os.access(path.parent, os.W_OK)
        ):
            return fallback
        return runs_root(project)

    def open_sweep(self) -> SweepDialog:
        """Show the Sweep dialog for the current project; its trials appear in the Runs panel."""
        dialog = SweepDialog(
            self.window.document(), self.runs_folder(self.window.current_project()), self.window
        )  # type: ignore[arg-type]  # the host is a QWidget
        dialog.finished.connect(lambda *_: self.runs.refresh())
        dialog.start_button.clicked.connect(self.runs.refresh)
        dialog.show()
        return dialog

    def offer_head_fix(self, finished: Finished) -> None:
        """Ask (without blocking the window) whether to set the head to the data's class count."""
        if self.head_offer is not None:
            self.head_offer.close()
        self.head_offer = HeadOffer(self.window, finished.head_fix, finished.message, self.start)
        self.head_offer.open()

    def toggle_pause(self) -> None:
        """Pause a running run or resume a paused one."""
        if self.controller.state == "paused":
            self.controller.resume()
        else:
            self.controller.pause()

    def _state(self, state: str) -> None:
        self.metrics.show_state(state)
        self.start_action.setEnabled(state == "idle")
        self.pause_action.setEnabled(state in ("running", "paused"))
        self.pause_action.setText("&Resume" if state == "paused" else "&Pause")
        self.stop_action.setEnabled(state in ("running", "paused"))
        self.export_action.setEnabled(
            state == "idle" and self.controller.last_checkpoint is not None
        )

    def _events(self, events: list) -> None:
        """Hand one frame's events to every panel (each redraws at most once)."""
        for panel in self.panels:
            panel.handle(events)
        for e in events:
            if isinstance(e, Started):
                self._probe_input = e.probe_input
            elif isinstance(e, Finished):
                self._finished(e)
        for e in events:
            if isinstance(e, RunWarning) or (isinstance(e, Finished) and e.status == "failed"):
                self.window.show_status(e.message.splitlines()[0])

    def _finished(self, finished: Finished) -> None:
        """A run that trained leaves its final weights for the feature maps of later selections."""
        project, probe = self.controller.project, self._probe_input
        if finished.checkpoint and probe is not None and project is not None:
            self.final_maps.arm(FinishedRun(project, finished.checkpoint, probe, finished.step))

    def _project_replaced(self) -> None:
        """Another project: nothing of the last run's pictures belongs to it (a running run's
        do)."""
        if self.controller.state != "idle":
            return
        self.final_maps.disarm()
        for panel in self.panels:
            panel.idle()

    def _selection(self, ids: list) -> None:
        """Probe the selected node's output (by its layer name); after a run, from its final
        weights."""
        graph = (self.controller.project or self.window.current_project()).graph
        names = [graph.nodes[i].name for i in ids if i in graph.nodes]
        self.controller.set_probe_layer(names[0] if names else "")
        if self.controller.state == "idle" and names:
            self.final_maps.request(names[0])

    def export(self) -> None:
        """Write the trained project's Python module and best weights into a chosen folder."""
        folder = QFileDialog.getExistingDirectory(
            self.window, "Export trained model to folder", self.window.dialog_folder()
        )
        written = self.export_to(Path(folder)) if folder else None
        if written:
            self.window.statusBar().showMessage(
                f"Exported {written[0]} with its weights beside it", 15000
            )

    def export_to(self, folder: Path) -> tuple[Path, Path] | None:
        """Export the last run (best checkpoint when there is one) into `folder`."""
        ckpt = Path(self.controller.last_checkpoint or "")
        best = ckpt.with_name("best.json")
        try:
            return trained_export.export_trained(
                self.controller.project, best if best.exists() else ckpt, folder
            )
        except UnicodeEncodeError:
            QMessageBox.warning(
                self.window,
                "Export trained model",
                "the project's name or description holds "
                "text that cannot be stored as UTF-8 (a lone surrogate): correct it and export "
                "again",
            )
            return None
        except ConvStudioError as exc:
            QMessageBox.warning(self.window, "Export trained model", str(exc))
            return None

    def save_png(self) -> None:
        """Save the training plots as PNG."""
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save plots", self._default_path("training", "png"), "PNG (*.png)"
        )
        if path:
            self._write("Save plots", lambda: self.metrics.export_png(path))

    def save_csv(self) -> None:
        """Save the metrics as CSV."""
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save metrics", self._default_path("metrics", "csv"), "CSV (*.csv)"
        )
        if path:
            self._write("Save metrics", lambda: self.metrics.export_csv(path))

    def _default_path(self, what: str, suffix: str) -> str:
        """'<project>_<what>.<suffix>' in the folder the window's file dialogs start in."""
        stem = file_stem(self.window.current_project().name)
        return str(Path(self.window.dialog_folder()) / f"{stem}_{what}.{suffix}")

    def _write(self, title: str, write: Callable[[], object]) -> None:
        """Run a file write; a failure is shown in one message box (the old file is untouched)."""
        try:
            write()
        except ConvStudioError as exc:
            QMessageBox.warning(self.window, title, str(exc))


def install_training(window: EditorHost) -> None:
    """Build the training UI into `window` (the run is stopped when the application quits)."""
    ui = TrainingUI(window)
    window.training_ui = ui
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(ui.controller.shutdown)
        app.aboutToQuit.connect(ui.data.shutdown)
        app.aboutToQuit.connect(ui.final_maps.shutdown)
