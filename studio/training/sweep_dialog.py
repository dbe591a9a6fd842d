"""The Sweep dialog: edit a search space, run an Optuna sweep in the background (each trial a
recorded run
in its own process), watch the trials in a live table and a scatter plot, apply the best values."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from runtime.errors import ConvStudioError
from runtime.project import Project
from runtime.runs.record import metric_name
from runtime.runs.space import parse_space
from runtime.runs.sweep import SAMPLERS, SweepReport, run_sweep
from studio.document import Document, refusal_text


def example_space(project: Project) -> dict[str, Any]:
    """A starting space: the learning rate, and the width of the first convolution when there is
    one."""
    space: dict[str, Any] = {"lr": {"log": [1e-4, 1e-1]}}
    convs = [
        n
        for n in project.graph.nodes.values()
        if any(p.name == "out_channels" for p in n.spec.params) and n.block != "output"
    ]
    if convs:
        width = int(convs[0].params.get("out_channels", 16))
        space[f"{convs[0].name}.out_channels"] = sorted({max(1, width // 2), width, width * 2})
    return space


class _SweepThread(QThread):
    """Runs run_sweep off the window's thread; reports through signals."""

    event = Signal(str, object)
    done = Signal(object)

    def __init__(self, kwargs: dict[str, Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kwargs = kwargs
        self.stopping = threading.Event()

    def run(self) -> None:
        """The sweep; its report (or the error) at the end."""
        try:
            report = run_sweep(
                **self.kwargs,
                on_event=lambda kind, data: self.event.emit(kind, data),
                should_stop=self.stopping.is_set,
            )
        except ConvStudioError as exc:
            report = exc
        self.done.emit(report)


class SweepDialog(QDialog):
    """Search space, trials, sampler and jobs; Start/Stop; live trials; Apply Best."""

    HEADERS = ("trial", "values", "state", "val. acc.", "time")

    def __init__(self, doc: Document, runs: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sweep")
        self.doc, self.runs = doc, runs
        self.thread: _SweepThread | None = None
        self.report: SweepReport | None = None
        self.values: dict[int, dict[str, Any]] = {}
        self.rows: dict[int, int] = {}
        self.space = QPlainTextEdit(json.dumps(example_space(doc.project), indent=1))
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.space.setFont(mono)
        self.trials = QSpinBox(minimum=1, maximum=10000, value=12)
        self.jobs = QSpinBox(minimum=1, maximum=64, value=1)
        self.epochs = QSpinBox(
            minimum=0, maximum=100000, value=0, specialValueText="as in the project"
        )
        self.sampler = QComboBox()
        self.sampler.addItems(SAMPLERS)
        self.sampler.setCurrentText("tpe")
        form = QFormLayout()
        form.addRow("Search space (JSON)", self.space)
        form.addRow("Trials", self.trials)
        form.addRow("Sampler", self.sampler)
        form.addRow("Trials at once", self.jobs)
        form.addRow("Epochs per trial", self.epochs)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "trial")
        self._show_metric(doc.project.task)
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.scatter = pg.ScatterPlotItem(size=9, brush=pg.mkBrush("#4c9be8"))
        self.plot.addItem(self.scatter)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.start_button = QPushButton("Start", clicked=self.toggle)
        self.apply_button = QPushButton(
            "Apply Best to Project", clicked=self.apply_best, enabled=False
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.apply_button)
        results = QHBoxLayout()
        results.addWidget(self.table, 3)
        results.addWidget(self.plot, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(results, 1)
        layout.addLayout(buttons)
        self.resize(980, 720)

    def toggle(self) -> None:
        """Start a sweep, or stop the running one."""
        if self.thread is not None:
            self.thread.stopping.set()
            self.message.setText("stopping: trials in flight are marked failed…")
            return
        project = self.doc.project.copy()
        self._show_metric(project.task)
        try:
            dims = parse_space(json.loads(self.space.toPlainText()), project)
        except ValueError as exc:
            self.message.setText(f"the search space is not valid JSON: {exc}")
            return
        except ConvStudioError as exc:
            self.message.setText(str(exc))
            return
        self.table.setRowCount(0)
        self.rows.clear()
        self.scatter.clear()
        epochs = self.epochs.value() or None
        self.thread = _SweepThread(
            {
                "project": project,
                "dims": dims,
                "trials": self.trials.value(),
                "runs": self.runs,
                "sampler": self.sampler.currentText(),
                "jobs": self.jobs.value(),
                "overrides": {"epochs": epochs},
            },
            self,
        )
        self.thread.event.connect(self._event)
        self.thread.done.connect(self._done)
        self.thread.start()
        self.start_button.setText("Stop")
        self.apply_button.setEnabled(False)
        self.message.setText(f"sweeping; every trial is recorded in {self.runs}")

    def _show_metric(self, task: str) -> None:
        """Title the value column and the plot by what trials are ranked by (mIoU when
        segmenting)."""
        metric = metric_name(task)
        short = "acc." if metric == "accuracy" else metric
        self.table.setHorizontalHeaderItem(3, QTableWidgetItem(f"val. {short}"))
        self.plot.setLabel("left", f"validation {metric}")

    def _row(self, number: int) -> int:
        if number not in self.rows:
            self.rows[number] = self.table.rowCount()
            self.table.insertRow(self.table.rowCount())
            self.table.setItem(self.rows[number], 0, QTableWidgetItem(str(number)))
        return self.rows[number]

    def _event(self, kind: str, data: Any) -> None:
        if kind == "started":
            number, values, _pid = data
            self.values[number] = values
            row = self._row(number)
            text = ", ".join(
                f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()
            )
            self.table.setItem(row, 1, QTableWidgetItem(text))
            self.table.setItem(row, 2, QTableWidgetItem("running"))
            return
        row = self._row(data.number)
        self.table.setItem(
            row,
            2,
            QTableWidgetItem(
                data.state
                if data.state == "complete"
                else f"{data.state}: {data.message.splitlines()[0]}"
            ),
        )
        self.table.setItem(
            row, 3, QTableWidgetItem("—" if data.value is None else f"{data.value:.2%}")
        )
        self.table.setItem(row, 4, QTableWidgetItem(f"{data.seconds:.1f} s"))
        if data.value is not None:
            self.scatter.addPoints(
                [data.number],
                [data.value],
                brush=pg.mkBrush("#4c9be8" if data.state == "complete" else "#bab0ac"),
            )

    def _done(self, report: Any) -> None:
        self.thread.wait()
        self.thread = None
        self.start_button.setText("Start")
        if isinstance(report, ConvStudioError):
            self.message.setText(str(report))
            return
        self.report = report
        if report.best_value is None:
            self.message.setText("no trial completed")
            return
        values = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in report.best_values.items()
        )
        self.message.setText(
            f"best of study '{report.study}': {report.metric} {report.best_value:.2%} with {values}"
        )
        self.apply_button.setEnabled(True)

    def apply_best(self) -> str | None:
        """Set the best values in the project as undoable edits; the refusal reason when one is
        refused."""
        if self.report is None:
            return None
        graph = self.doc.project.graph
        training = dict(self.doc.project.training)
        for key, value in self.report.best_values.items():
            if "." in key:
                name, param = key.split(".", 1)
                refused = self.doc.set_params([graph.by_name(name).id], {param: value})
                if refused:
                    self.message.setText(refusal_text(refused))
                    return refused
            else:
                training[key] = value
        if training != self.doc.project.training:
            refused = self.doc.set_section("training", training, "sweep")
            if refused:
                self.message.setText(refusal_text(refused))
                return refused
        self.message.setText("the best values are in the project (Edit ▸ Undo takes them back)")
        return None

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Closing stops a running sweep."""
        if self.thread is not None:
            self.thread.stopping.set()
            self.thread.wait(15000)
        super().closeEvent(event)
