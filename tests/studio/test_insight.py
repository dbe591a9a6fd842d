"""The Insight dock, bypass on the canvas, confusion cells, live health: driven by real events."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from runtime.compile import build_model
from runtime.training.checkpoint import save_checkpoint
from runtime.training.events import Started
from runtime.training.health import Health, LayerHealth
from studio.insight.health_view import NOTES_SOURCE
from tests.runtime.training_helpers import tiny_project
from tests.studio.helpers import activate, keys_to_focus, node_centre

needs_captum = pytest.mark.skipif(
    __import__("importlib").util.find_spec("captum") is None,
    reason="Captum (the 'insight' extra) is not installed",
)


@pytest.fixture
def tiny_window(make_window, tmp_path):
    """A window on the tiny digits project whose Insight panel studies a saved checkpoint."""
    project = tiny_project()
    project.save(tmp_path / "tiny.json")
    checkpoint = save_checkpoint(
        tmp_path / "run", "last", build_model(project, 0), None, {"epoch": 1}
    )
    window = make_window(project)
    window.insight_ui.panel.chosen = checkpoint
    return window


def _open(qtbot, window, tab) -> None:
    ui = window.insight_ui
    ui.show(tab)
    qtbot.waitUntil(lambda: ui.panel.session is not None, timeout=20000)


def test_bypass_is_one_undoable_edit_shown_greyed(window, qtbot):
    graph = window.doc.project.graph
    tanh = graph.by_name("tanh2").id
    x = torch.randn(3, 1, 28, 28)
    before = build_model(window.doc.project, 0)(x)
    QTest.mouseClick(
        window.view.viewport(), Qt.LeftButton, Qt.NoModifier, node_centre(window, tanh)
    )
    assert window.selected_node_ids() == [tanh]
    activate(qtbot, window)
    window.view.setFocus()
    keys_to_focus(Qt.Key_B, Qt.ControlModifier)
    item = window.scene.nodes[tanh]
    assert graph.nodes[tanh].extra == {"bypassed": True} and item.bypassed
    assert "bypassed" in item.summary and window.doc.undo_stack.count() == 1
    assert window.doc.undo_stack.undoText() == "Bypass Node"
    assert not torch.equal(build_model(window.doc.project, 0)(x), before)
    window.doc.undo_stack.undo()
    assert graph.nodes[tanh].extra == {} and not window.scene.nodes[tanh].bypassed
    assert torch.equal(build_model(window.doc.project, 0)(x), before)


def test_a_shape_changing_node_bypassed_is_a_problem_named_on_the_node(window, qtbot):
    conv = window.doc.project.graph.by_name("conv1").id
    window.insight_ui.toggle_bypass("conv1")
    qtbot.waitUntil(
        lambda: any(p.node_id == conv for p in window.doc.analysis.problems), timeout=3000
    )
    assert "cannot be bypassed" in window.doc.analysis.problems[0].message
    window.insight_ui.toggle_bypass("head1")
    assert window.doc.undo_stack.count() == 1  # the head refuses, with a status line
    assert "cannot be bypassed" in window.statusBar().currentMessage()


@needs_captum
def test_predict_tab_explains_a_dropped_image(tiny_window, qtbot, tmp_path):
    from PIL import Image

    ui = tiny_window.insight_ui
    _open(qtbot, tiny_window, ui.predict)
    qtbot.waitUntil(lambda: "predicted" in ui.predict.message.text(), timeout=20000)
    assert ui.predict.top.rowCount() == 5
    picture = tmp_path / "dot.png"
    Image.fromarray(np.full((20, 20), 200, np.uint8)).save(picture)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(picture))])
    target = QPoint(10, 10)
    enter = QDragEnterEvent(target, Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(ui.predict, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(
        ui.predict, QDragMoveEvent(target, Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    )
    QApplication.sendEvent(
        ui.predict, QDropEvent(QPointF(target), Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    )
    qtbot.waitUntil(
        lambda: ui.predict.message.text().startswith("dot.png: predicted"), timeout=20000
    )
    assert ui.predict.image.shape == (1, 8, 8)
    assert ui.predict.heat.heat.image is not None
    bar_low, bar_high = ui.predict.heat.bar.levels()
    assert bar_low == 0 and bar_high > 0


@needs_captum
def test_clicking_a_confusion_cell_lists_its_images(tiny_window, qtbot):
    ui = tiny_window.insight_ui
    confusion = tiny_window.training_ui.confusion
    _open(qtbot, tiny_window, ui.predict)
    tiny_window.docks["training_confusion"].show()
    tiny_window.docks["training_confusion"].raise_()
    matrix = np.zeros((10, 10), np.int64)
    matrix[3, 5] = 4
    confusion.reset(tuple(str(i) for i in range(10)))
    confusion.show_matrix(matrix, 1, 0.5)
    qtbot.waitUntil(confusion.view.isVisible, timeout=3000)
    plot = confusion.plot.getViewBox()
    scene_point = plot.mapViewToScene(QPointF(5, 3))  # column = predicted 5, row = true 3
    QTest.mouseClick(
        confusion.view.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        confusion.view.mapFromScene(scene_point),
    )
    qtbot.waitUntil(lambda: "True '3', predicted '5'" in ui.mistakes.title.text(), timeout=20000)
    assert ui.panel.tabs.currentWidget() is ui.mistakes
    if ui.mistakes.grid.cells:  # a colour bar explains the maps' scale
        assert ui.mistakes.bar.pixmap().width() == 160 and "max" in ui.mistakes.bar_text.text()


def test_live_health_shades_nodes_and_warns_in_problems(window, qtbot):
    shading = window.insight_ui.health
    graph = window.doc.project.graph
    conv1, conv2 = graph.by_name("conv1").id, graph.by_name("conv2").id
    window.actions_by_name["shade_grad_norm"].trigger()
    controller = window.training_ui.controller
    controller.events.emit(
        [Started(1, 1, 1, 1, 1, ("a", "b"), "cpu", np.zeros((1, 28, 28), np.uint8))]
    )
    controller.events.emit(
        [
            Health(
                400,
                {
                    "conv1": LayerHealth(grad_norm=0.01, dead_fraction=0.95),
                    "conv2": LayerHealth(grad_norm=1.0),
                },
            )
        ]
    )
    assert window.scene.nodes[conv1].shade == 0.0 and window.scene.nodes[conv2].shade == 1.0
    assert shading.legend.isVisible() and "Gradient norm" in shading.legend.text()
    notes = window.problems.notes[NOTES_SOURCE]
    assert notes == [(conv1, "conv1: 95% of ReLU outputs are zero since iteration 400")]
    texts = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert any("since iteration 400" in t for t in texts)
    window.actions_by_name["shade_none"].trigger()
    assert not shading.legend.isVisible() and window.scene.nodes[conv2].shade == 0.0


@needs_captum
def test_ablation_table_fills_from_the_menu(tiny_window, qtbot):
    ui = tiny_window.insight_ui
    _open(qtbot, tiny_window, ui.ablation)
    tiny_window.actions_by_name["insight_ablate"].trigger()
    qtbot.waitUntil(lambda: ui.ablation.table.rowCount() == 2, timeout=20000)
    layers = {ui.ablation.table.item(r, 0).text() for r in range(2)}
    assert layers == {"conv1", "relu1"} and "Intact network" in ui.ablation.message.text()
