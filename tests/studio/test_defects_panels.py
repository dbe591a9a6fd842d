"""Smaller rough edges of the panels, driven with real keys and clicks: the settings form hides what
does not apply and shows counts as integers, the analysis table keeps titles on one line and its
Total row in the right columns, the empty canvas hints what to do, and shading has a legend."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from runtime.project import Project
from tests.runtime.training_helpers import tiny_project
from tests.studio.helpers import focus, keys_to_focus


def _settings(window):
    window.docks["training_data"].raise_()
    return window.training_ui.data


def test_settings_that_do_not_apply_are_hidden_and_follow_the_choices(make_window, qtbot):
    window = make_window(tiny_project(schedule="cosine", loss="cross_entropy"))
    form = _settings(window).training
    shown = lambda name: form.form.isRowVisible(form.editors[name])  # noqa: E731
    assert not shown("step_epochs") and not shown("focal_gamma") and shown("label_smoothing")
    schedule = form.editors["schedule"]
    qtbot.waitUntil(schedule.isVisible, timeout=3000)
    focus(qtbot, schedule)
    schedule.setCurrentText("step")  # as a pick in the drop-down list does
    assert shown("step_epochs") and shown("gamma")
    loss = form.editors["loss"]
    focus(qtbot, loss)
    loss.setCurrentText("focal")
    assert shown("focal_gamma") and not shown("label_smoothing")
    assert window.current_project().training["loss"] == "focal"


def test_an_out_of_range_setting_is_refused_with_a_reason_and_shown_back(make_window, qtbot):
    window = make_window(tiny_project())
    panel = _settings(window)
    batch = panel.training.editors["batch_size"]
    qtbot.waitUntil(batch.isVisible, timeout=3000)
    focus(qtbot, batch)
    keys_to_focus(Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(QApplication.focusWidget(), "0")
    keys_to_focus(Qt.Key_Return)
    assert window.current_project().training["batch_size"] == 64 and batch.value() == 64
    assert "batch_size" in panel.message.text()


def test_a_validation_count_shows_as_an_integer(make_window, qtbot):
    project = tiny_project()
    project.data["validation"] = 1000
    window = make_window(project)
    validation = _settings(window).form.validation
    assert validation.text() == "1000"
    focus(qtbot, validation)
    keys_to_focus(Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(QApplication.focusWidget(), "0.25")
    keys_to_focus(Qt.Key_Return)
    assert validation.text() == "0.25" and window.current_project().data["validation"] == 0.25


def test_the_total_row_keeps_to_its_columns(window):
    model = window.analysis_panel.model
    window.analysis_panel.refresh()
    total = model.rows[-1][1]
    assert total[0][0] == "Total" and total[1][0] == "" and total[2][0] == ""
    assert "at batch 1" in total[6][0] and "B" in total[6][0]


def test_block_titles_do_not_wrap_once_a_long_one_is_added(window, qtbot):
    panel = window.analysis_panel
    window.docks["analysis"].raise_()
    window.editing.add_block("depthwise_separable_conv")
    qtbot.waitUntil(lambda: len(panel.model.rows) == 15, timeout=3000)
    table = panel.table
    assert not table.wordWrap()
    metrics = table.fontMetrics()
    widest = max(metrics.horizontalAdvance(cells[1][0]) for _, cells in panel.model.rows)
    assert table.columnWidth(1) >= widest


def _ink(image, rect: QRect, background: QColor) -> int:
    """How many pixels in `rect` differ from the background."""
    return sum(
        1
        for x in range(rect.left(), rect.right(), 3)
        for y in range(rect.top(), rect.bottom(), 3)
        if QColor(image.pixel(x, y)) != background
    )


def test_the_empty_canvas_says_how_to_start(make_window, qtbot):
    window = make_window(Project())
    viewport = window.view.viewport()
    image = viewport.grab().toImage()
    middle = QRect(
        viewport.width() // 4, viewport.height() // 3, viewport.width() // 2, viewport.height() // 3
    )
    assert _ink(image, middle, QColor("#fafafa")) > 20


def test_shading_by_parameters_shows_a_legend(window, qtbot):
    viewport = window.view.viewport()
    corner = QRect(14, viewport.height() - 68, 290, 54)
    window.view.centerOn(window.scene.items_rect().center().x() + 5000, 0)  # nothing but background
    before = _ink(viewport.grab().toImage(), corner, QColor("#fafafa"))
    assert before == 0
    window.actions_by_name["shade_params"].trigger()
    qtbot.wait(50)
    after = _ink(viewport.grab().toImage(), corner, QColor("#fafafa"))
    assert after > 50
