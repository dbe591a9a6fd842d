"""Build the Insight dock, the Insight menu and live health shading into the main window."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from runtime.insight.bypass_edit import toggled
from runtime.training.events import EpochMetrics
from studio.insight.ablation_tab import AblationTab
from studio.insight.adversarial_tab import AdversarialTab
from studio.insight.channel_tab import ChannelTab
from studio.insight.health_view import HealthShading
from studio.insight.mistakes_tab import MistakesTab
from studio.insight.panel import InsightPanel
from studio.insight.predict_tab import PredictTab


class InsightUI:
    """The Insight panel and its links to the canvas, the training run and the confusion matrix."""

    def __init__(self, window: Any) -> None:
        self.window = window
        training = getattr(window, "training_ui", None)
        self.controller = training.controller if training is not None else None
        self.panel = InsightPanel(
            window.current_project, self._latest_checkpoint, self.selected_layer
        )
        self.predict = PredictTab(self.panel)
        self.mistakes = MistakesTab(self.panel, self.predict)
        self.adversarial = AdversarialTab(self.panel, self.predict)
        self.ablation = AblationTab(self.panel, self.toggle_bypass, self._select_layer)
        self.channel = ChannelTab(self.panel)
        for title, tab in (
            ("Predict and Explain", self.predict),
            ("Mistakes", self.mistakes),
            ("Adversarial", self.adversarial),
            ("Ablation", self.ablation),
            ("Channel", self.channel),
        ):
            self.panel.tabs.addTab(tab, title)
        self.dock = window.add_panel(
            "Insight", self.panel, Qt.DockWidgetArea.BottomDockWidgetArea, "insight"
        )
        self.panel.status.connect(window.show_status)
        window.doc.graph_changed.connect(lambda *_: self.panel.schedule_reload())
        window.project_replaced.connect(self.panel.schedule_reload)
        window.selection_changed.connect(self._selection)
        if training is not None:
            training.confusion.cell_clicked.connect(self.show_cell)
            self.controller.events.connect(self._training_events)
            self.health = HealthShading(window, self.controller)
        self._menu()

    def _menu(self) -> None:
        menu = self.window.menuBar().addMenu("&Insight")
        show = QAction("Show &Insight Panel", self.window, triggered=self.show)
        bypass = QAction(
            "&Bypass / Restore Selected Node",
            self.window,
            shortcut=QKeySequence("Ctrl+B"),
            triggered=self._bypass_selected,
        )
        ablate = QAction(
            "Measure &Ablation Table",
            self.window,
            triggered=lambda: (self.show(self.ablation), self.ablation.measure()),
        )
        reload_action = QAction("&Reload Weights", self.window, triggered=self.panel.reload)
        for action in (show, bypass, ablate, reload_action):
            menu.addAction(action)
        self.window.actions_by_name.update(
            insight_show=show, insight_bypass=bypass, insight_ablate=ablate
        )

    def show(self, tab: Any = None) -> None:
        """Bring the panel (and a tab) to the front, opening the network when none is open."""
        self.dock.show()
        self.dock.raise_()
        if tab is not None:
            self.panel.tabs.setCurrentWidget(tab)
        if self.panel.session is None:
            self.panel.reload()

    def _latest_checkpoint(self) -> str | None:
        if self.controller is None or self.controller.out_dir is None:
            return None
        for name in ("last.json", "best.json"):
            path = self.controller.out_dir / name
            if path.exists():
                return str(path)
        return None

    def selected_layer(self) -> str | None:
        """The name of the first node selected on the canvas."""
        graph = self.window.current_project().graph
        ids = [i for i in self.window.selected_node_ids() if i in graph.nodes]
        return graph.nodes[ids[0]].name if ids else None

    def _select_layer(self, name: str) -> None:
        graph = self.window.current_project().graph
        found = [nid for nid, n in graph.nodes.items() if n.name == name]
        if found:
            self.window.select_nodes(found, centre=True)

    def _selection(self, ids: list) -> None:
        if self.panel.session is not None and self.dock.isVisible():
            current = self.panel.tabs.currentWidget()
            if current is self.predict:
                self.predict.explain()
            elif current is self.channel:
                self.channel.find()

    def _bypass_selected(self) -> None:
        name = self.selected_layer()
        if name is None:
            self.window.show_status("Select a node to bypass")
            return
        self.toggle_bypass(name)

    def toggle_bypass(self, name: str) -> None:
        """Bypass the node called `name` (or restore it) as one undoable edit; one line when
        refused."""
        project = self.window.current_project()
        node = next((n for n in project.graph.nodes.values() if n.name == name), None)
        if node is None or node.block in ("input", "output"):
            self.window.show_status(
                f"'{name}' cannot be bypassed (the input and the head always run)"
            )
            return
        reason = self.window.document().execute(toggled(project, node.id))
        if reason:
            self.window.show_status(f"Not applied: {reason}")

    def show_cell(self, true_class: int, predicted: int) -> None:
        """Open the Mistakes tab on a confusion cell."""
        self.show(self.mistakes)
        if self.panel.session is not None:
            self.mistakes.show_cell(true_class, predicted)

    def _training_events(self, events: list) -> None:
        """Follow the latest run: reload its weights at each epoch end."""
        if (
            self.panel.chosen is None
            and any(isinstance(e, EpochMetrics) for e in events)
            and self.panel.session is not None
        ):
            self.panel.reload()


def install(window: Any) -> InsightUI:
    """Add the Insight dock, menu and live health shading to `window` (after the training
    panels)."""
    ui = InsightUI(window)
    window.insight_ui = ui
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(ui.panel.shutdown)
    return ui
