"""With nothing selected, the inspector describes the project and follows its analysis."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel


def shown_rows(inspector) -> dict[str, str]:
    """The inspector's form as label → value texts."""
    rows = {}
    for row in range(inspector.form.rowCount()):
        label = inspector.form.itemAt(row, inspector.form.ItemRole.LabelRole)
        field = inspector.form.itemAt(row, inspector.form.ItemRole.FieldRole)
        if label is not None and field is not None and isinstance(field.widget(), QLabel):
            rows[label.widget().text()] = field.widget().text()
    return rows


def test_project_summary_when_nothing_is_selected(window):
    inspector = window.inspector
    QTest.mouseClick(
        window.view.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(3, 3)
    )  # empty canvas
    assert window.selected_node_ids() == []
    assert "LeNet-5" in inspector.heading.text()
    rows = shown_rows(inspector)
    assert rows["input"] == "1×28×28"
    assert rows["parameters"] == f"{window.doc.analysis.params:,}"
    assert rows["problems"] == "none"


def test_project_summary_follows_edits(window):
    inspector = window.inspector
    window.scene.select_nodes([])
    before = shown_rows(inspector)["parameters"]
    conv1 = window.doc.project.graph.by_name("conv1").id
    window.scene.select_nodes([conv1])
    inspector.apply("out_channels", 12)
    window.scene.select_nodes([])
    after = shown_rows(inspector)["parameters"]
    assert after != before and after == f"{window.doc.analysis.params:,}"


def test_problems_tab_shows_the_count(window, qtbot):
    from PySide6.QtCore import QPointF

    dock = window.docks["problems"]
    assert dock.windowTitle() == "Problems"
    window.editing.add_block("relu", QPointF(400, 0))  # unconnected: one problem
    qtbot.waitUntil(lambda: dock.windowTitle() == "Problems (1)", timeout=2000)
    window.doc.undo_stack.undo()
    qtbot.waitUntil(lambda: dock.windowTitle() == "Problems", timeout=2000)


def test_reset_layout_puts_panels_back(window, qtbot):
    docks = window.docks
    docks["palette"].setFloating(True)
    docks["inspector"].hide()
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    panels = next(a.menu() for a in view.actions() if a.text() == "&Panels")
    panels.aboutToShow.emit()
    next(a for a in panels.actions() if a.text() == "&Reset Layout").trigger()
    assert not docks["palette"].isFloating() and docks["inspector"].isVisible()
    assert not docks["training_filters"].isVisible()  # as on a first start
