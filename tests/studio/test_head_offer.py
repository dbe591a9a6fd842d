"""A run refused for a head that does not match the data: the window offers the fix as one undoable
edit."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.runtime.training_helpers import tiny_project
from tests.studio.helpers import focus, keys_to_focus


def _head(window):
    graph = window.document().project.graph
    return next(n for n in graph.nodes.values() if n.block == "output")


@pytest.fixture
def window(make_window):
    project = tiny_project(epochs=40, probe_seconds=0.1)
    head = next(n for n in project.graph.nodes.values() if n.block == "output")
    project.graph.set_params(head.id, {"num_classes": 3})
    made = make_window(project)
    yield made
    made.training_ui.controller.shutdown()


def _offer(qtbot, window):
    ui = window.training_ui
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: ui.head_offer is not None and ui.head_offer.isVisible(), timeout=60000)
    assert ui.controller.state == "idle"
    return ui.head_offer


def test_head_offer_sets_the_class_count_as_one_undo_step_and_trains(qtbot, window):
    ui = window.training_ui
    stack = window.document().undo_stack
    before = stack.count()
    offer = _offer(qtbot, window)
    assert offer.text() == "The data has 10 classes, but 'head' gives 3 class scores."
    assert "gives 3 class scores but the data (8×8 digits) has 10 classes" in offer.toolTip()
    assert "gives 3 class scores but" in window.statusBar().currentMessage()
    qtbot.mouseClick(offer.accept_button, Qt.MouseButton.LeftButton)
    assert _head(window).params["num_classes"] == 10
    assert stack.count() == before + 1 and stack.undoText() == "Set 'head' to 10 Classes"
    assert ui.controller.state == "running"
    qtbot.waitUntil(lambda: len(ui.metrics.steps) >= 1, timeout=60000)
    ui.controller.stop()
    qtbot.waitUntil(lambda: ui.controller.state == "idle", timeout=10000)
    focus(qtbot, window.view)
    keys_to_focus(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (
        _head(window).params["num_classes"] == 3
        and stack.count() == before + 1
        and stack.index() == before
    )


def test_declining_the_offer_changes_nothing(qtbot, window):
    stack = window.document().undo_stack
    before = stack.count()
    offer = _offer(qtbot, window)
    qtbot.mouseClick(offer.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not offer.isVisible())
    assert _head(window).params["num_classes"] == 3 and stack.count() == before
    assert window.training_ui.controller.state == "idle"
    assert QApplication.activeModalWidget() is None
