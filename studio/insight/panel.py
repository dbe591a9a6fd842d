"""The Insight dock: which weights are studied (the latest run or any checkpoint) and one tab per
tool."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from blocks.lazy import lazy
from runtime.insight.extra import captum_available, missing_line
from runtime.project import Project
from studio.insight.worker import InsightWorker


if TYPE_CHECKING:
    from runtime.insight.session import Session
session_module = lazy("runtime.insight.session")


class InsightPanel(QWidget):
    """Header (weights in use, Reload, Open Checkpoint…) above the tool tabs; `session` is shared
    by them."""

    session_changed = Signal()
    """A new session is ready (other weights, or the graph changed)."""
    status = Signal(str)
    """One line for the status bar."""

    def __init__(
        self,
        project: Callable[[], Project],
        latest_checkpoint: Callable[[], str | None],
        selected_layer: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.latest_checkpoint = latest_checkpoint
        self.selected_layer = selected_layer
        self.worker = InsightWorker(self)
        self.session: Session | None = None
        self.chosen: Path | None = None
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.busy = QLabel("")
        reload_button = QPushButton("Reload")
        reload_button.setToolTip(
            "Open the weights again (e.g. after another epoch, or to use the latest run)"
        )
        reload_button.clicked.connect(self.reload)
        latest = QPushButton("Latest Run")
        latest.setToolTip("Study the weights of the last training run (updated at each epoch end)")
        latest.clicked.connect(self.use_latest)
        choose = QPushButton("Open Checkpoint…")
        choose.clicked.connect(self.choose_checkpoint)
        header = QHBoxLayout()
        header.addWidget(self.source, 1)
        header.addWidget(self.busy)
        for button in (latest, choose, reload_button):
            header.addWidget(button)
        self.tabs = QTabWidget()
        self.missing = QLabel(missing_line())
        self.missing.setStyleSheet("color: #b71c1c; padding: 4px;")
        self.missing.setVisible(not captum_available())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.missing)
        layout.addWidget(self.tabs, 1)
        self.worker.done.connect(self._done)
        self.worker.failed.connect(self._failed)
        self.worker.busy.connect(lambda on: self.busy.setText("working…" if on else ""))
        self._debounce = QTimer(self, singleShot=True, interval=400, timeout=self.reload)
        self._describe()

    # ----- weights -------------------------------------------------------------------
    def checkpoint(self) -> str | None:
        """The checkpoint in use: the chosen file, else the latest run's (None: initial weights)."""
        return str(self.chosen) if self.chosen else self.latest_checkpoint()

    def use_latest(self) -> None:
        """Follow the latest training run."""
        self.chosen = None
        self.reload()

    def choose_checkpoint(self) -> None:
        """Pick a checkpoint (.json) or weights file (.safetensors)."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Open checkpoint", "", "Checkpoints (*.json *.safetensors);;All files (*)"
        )
        if path:
            self.chosen = Path(path)
            self.reload()

    def reload(self) -> None:
        """Open the current project with the weights in use, off the UI thread."""
        project, checkpoint = self.project().copy(), self.checkpoint()
        self.worker.submit(
            "session", lambda cancelled: session_module.open_session(project, checkpoint)
        )
        self.source.setText("Opening the network…")

    def schedule_reload(self) -> None:
        """Reload soon (coalesces bursts of graph edits)."""
        if self.session is not None:
            self._debounce.start()

    def _describe(self) -> None:
        if self.session is None:
            self.source.setText("No network open yet: train, or open a checkpoint, then Reload.")
            return
        where = (
            str(self.session.checkpoint)
            if self.session.checkpoint
            else "initial weights (not trained)"
        )
        self.source.setText(
            f"Studying {self.session.project.name}: {where} · "
            f"{len(self.session.val):,} validation images"
        )

    # ----- results ---------------------------------------------------------------------
    def _done(self, kind: str, result: Any) -> None:
        if kind == "session":
            self.session = result
            self._describe()
            self.session_changed.emit()
            return
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if kind.split(":")[0] == getattr(tab, "KIND", None):
                tab.show_result(kind, result)

    def _failed(self, kind: str, line: str) -> None:
        if kind == "session":
            self.session = None
            self.source.setText(f"Cannot open the network: {line}")
        self.status.emit(line)
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if kind.split(":")[0] == getattr(tab, "KIND", None):
                tab.show_failure(line)

    def run(self, kind: str, job: Callable[[Session, Callable[[], bool]], Any]) -> bool:
        """Run `job(session, cancelled)` in the background; False (and a hint) when no network is
        open."""
        session = self.session
        if session is None:
            self.status.emit("Insight: no network open yet (train, or open a checkpoint)")
            self.reload()
            return False
        self.worker.submit(kind, lambda cancelled: job(session, cancelled))
        return True

    def shutdown(self) -> None:
        """Stop the worker thread."""
        self.worker.shutdown()


class Tab(QWidget):
    """Base of a tool tab: results of its KIND come back through `show_result` / `show_failure`."""

    KIND = ""

    def __init__(self, panel: InsightPanel) -> None:
        super().__init__()
        self.panel = panel
        self.message = QLabel("")
        self.message.setWordWrap(True)

    def show_result(self, kind: str, result: Any) -> None:
        """Draw a finished computation."""
        raise NotImplementedError

    def show_failure(self, line: str) -> None:
        """Say why a computation failed, in one line."""
        self.message.setText(f"⚠ {line}")


def hbox(*widgets: QWidget | None) -> QHBoxLayout:
    """A row of widgets (None adds stretch)."""
    row = QHBoxLayout()
    for w in widgets:
        if w is None:
            row.addStretch(1)
        else:
            row.addWidget(w)
    return row
