"""The canvas for real networks: window proportions, fit on open, semantic zoom (titles stay
legible when a large network is shown whole), the overview (minimap) dock, the flow direction,
and node titles that are not cut off."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFontInfo
from PySide6.QtTest import QTest

from runtime.layout import project_direction
from runtime.project import load_project
from studio.canvas import style

TEMPLATES = Path(__file__).resolve().parents[2] / "assets" / "templates"


def _open(window, qtbot, name: str) -> None:
    window.files.open_template(TEMPLATES / f"{name}.json")
    qtbot.wait(50)  # the fit runs once the new project is shown


def _all_nodes_visible(window) -> bool:
    visible = window.view.visible_scene_rect()
    return all(visible.contains(item.sceneBoundingRect()) for item in window.scene.nodes.values())


def test_window_opens_at_nine_tenths_of_the_screen(qtbot, paths):
    from studio.app import build_window

    window = build_window(paths, load_project(TEMPLATES / "lenet5.json"))
    try:
        window.show()
        qtbot.waitExposed(window)
        qtbot.wait(50)
        screen = window.screen().availableGeometry()
        least = window.minimumSizeHint()  # a small test screen is below the window's minimum
        assert window.width() == pytest.approx(max(screen.width() * 0.9, least.width()), abs=2)
        assert window.height() == pytest.approx(max(screen.height() * 0.9, least.height()), abs=2)
    finally:
        window.doc.undo_stack.setClean()
        window.autosaver.timer.stop()
        window.close()


def test_canvas_gets_most_and_the_bottom_docks_three_tenths(make_window, qtbot):
    window = make_window()
    window.resize(1728, 972)
    window.reset_layout()
    window._size_docks()
    qtbot.wait(50)
    bottom = window.docks["analysis"].height()
    assert 0.22 * 972 <= bottom <= 0.34 * 972
    canvas = window.view.width() * window.view.height()
    assert canvas > 0.4 * window.width() * window.height()


def test_opening_a_template_fits_it_to_the_view(window, qtbot):
    window.view.scale(3, 3)
    _open(window, qtbot, "googlenet")
    assert _all_nodes_visible(window)


@pytest.mark.parametrize("name", ["resnet50", "vgg19_bn", "googlenet", "unet"])
def test_titles_stay_legible_in_fit_to_view(make_window, qtbot, name):
    window = make_window()
    window.resize(1728, 972)
    window._size_docks()
    _open(window, qtbot, name)
    zoom = window.view.transform().m11()
    if zoom >= style.OVERVIEW_BELOW:
        from studio.canvas.items import _TITLE

        on_screen = QFontInfo(_TITLE).pixelSize() * zoom
    else:
        assert zoom >= style.TITLES_FROM
        on_screen = style.TITLE_MIN_PX
    assert on_screen >= 7
    assert _all_nodes_visible(window)


@pytest.mark.parametrize("name", ["unet", "unet_small", "resnet152"])
def test_zoomed_out_titles_are_whole_or_the_usual_abbreviation_never_cut(make_window, qtbot, name):
    """At fit-to-view a title that does not fit its box becomes 'BN', 'Max', 'UpConv', 'Cat' …
    (the full title stays in the tooltip), rather than 'Ba…rm'."""
    from studio.canvas.abbreviations import ABBREVIATIONS

    window = make_window()
    window.resize(1728, 972)
    window._size_docks()
    _open(window, qtbot, name)
    assert style.TITLES_FROM <= window.view.transform().m11() < style.OVERVIEW_BELOW
    window.view.viewport().repaint()
    shown = {text.text() for _box, _at, text in window.scene.overview._titles}
    assert shown and not any("…" in label for label in shown), shown
    items = [i for i in window.scene.nodes.values() if i.isVisible()]
    allowed = {i.title for i in items} | {ABBREVIATIONS.get(i.block_id) for i in items}
    assert shown <= allowed
    if name == "unet_small":
        assert "BN" in shown and "BatchNorm" not in shown


def _dark_pixels_in(window, item) -> int:
    image = window.view.viewport().grab().toImage()
    box = window.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    dark = 0
    for x in range(max(box.left(), 0), min(box.right(), image.width())):
        for y in range(max(box.top(), 0), min(box.bottom(), image.height())):
            if QColor(image.pixel(x, y)).lightness() < 90:
                dark += 1
    return dark


def test_zoomed_out_nodes_keep_their_title_then_become_plain_boxes(window, qtbot):
    _open(window, qtbot, "vgg16_bn")
    item = next(i for i in window.scene.nodes.values() if i.title == "BatchNorm")
    window.view.resetTransform()
    window.view.scale(0.3, 0.3)
    window.view.centerOn(item)
    qtbot.wait(20)
    with_title = _dark_pixels_in(window, item)
    window.view.resetTransform()
    window.view.scale(0.12, 0.12)
    window.view.centerOn(item)
    qtbot.wait(20)
    plain = _dark_pixels_in(window, item)
    assert with_title > 40 and plain < with_title / 4


def test_minimap_shows_the_view_and_a_click_moves_it(window, qtbot):
    _open(window, qtbot, "vgg16_bn")
    window.view.resetTransform()
    window.view.scale(1.0, 1.0)
    first = min(window.scene.nodes.values(), key=lambda i: (i.pos().x(), i.pos().y()))
    window.view.centerOn(first)
    minimap = window.minimap
    target = max(window.scene.nodes.values(), key=lambda i: (i.pos().x(), i.pos().y()))
    where = minimap.scene_to_widget().map(target.pos()).toPoint()
    QTest.mouseClick(minimap, Qt.LeftButton, Qt.NoModifier, where)
    centre = window.view.visible_scene_rect().center()
    assert (centre - target.pos()).manhattanLength() < 60


def test_minimap_drag_pans_the_view(window, qtbot):
    _open(window, qtbot, "vgg16_bn")
    window.view.resetTransform()
    minimap = window.minimap
    start = minimap.scene_to_widget().map(window.view.visible_scene_rect().center()).toPoint()
    end = start + QPoint(40, 10)
    QTest.mousePress(minimap, Qt.LeftButton, Qt.NoModifier, start)
    for step in range(1, 5):
        QTest.mouseMove(minimap, start + (end - start) * (step / 4))
    QTest.mouseRelease(minimap, Qt.LeftButton, Qt.NoModifier, end)
    inverse, _ = minimap.scene_to_widget().inverted()
    expected = inverse.map(QPointF(end))
    assert (window.view.visible_scene_rect().center() - expected).manhattanLength() < 40


def test_left_to_right_flow_moves_ports_and_is_saved(window, qtbot, tmp_path):
    graph = window.doc.project.graph
    window.actions_by_name["flow_right"].trigger()
    positions = {nid: node.pos for nid, node in graph.nodes.items()}
    # Every wire runs right, or (where the long row folds) down into the next row.
    assert all(
        positions[e.src][0] < positions[e.dst][0]
        or positions[e.dst][1] >= positions[e.src][1] + style.NODE_H
        for e in graph.edges
    )
    assert sum(positions[e.src][0] < positions[e.dst][0] for e in graph.edges) >= 10
    item = next(iter(window.scene.nodes.values()))
    assert item.out_port_pos().x() == style.NODE_W / 2
    window.doc.project.save(tmp_path / "flow.json")
    assert project_direction(load_project(tmp_path / "flow.json")) == "right"
    window.doc.undo_stack.undo()
    assert all(graph.nodes[e.src].pos[1] < graph.nodes[e.dst].pos[1] for e in graph.edges)
    window.actions_by_name["flow_down"].trigger()
    assert item.out_port_pos() == QPointF(0, style.NODE_H / 2)


def test_node_titles_are_whole_and_the_tooltip_has_the_full_one(window, qtbot):
    from blocks.registry import all_specs
    from studio.canvas.items import _SMALL_METRICS, _TITLE_METRICS

    room = style.NODE_W - 16 - 6 - _SMALL_METRICS.horizontalAdvance("layer1_0")
    for spec in all_specs():
        assert _TITLE_METRICS.horizontalAdvance(spec.node_title) <= room, spec.id
    _open(window, qtbot, "resnet50")
    item = next(i for i in window.scene.nodes.values() if i.name == "layer1_0")
    assert item.title == "Bottleneck"
    assert "Residual Bottleneck" in item.toolTip()
    texts = [line[3].text() for line in item._lay_out_text(item._box())]
    assert "Bottleneck" in texts and "layer1_0" in texts


def _cut_palette_names(window) -> list[str]:
    """Palette entries whose name does not fit its row (Qt would draw them with '…')."""
    from PySide6.QtWidgets import QTreeWidgetItemIterator

    tree = window.palette.tree
    metrics, cut = tree.fontMetrics(), []
    found = QTreeWidgetItemIterator(tree)
    while found.value():
        item = found.value()
        room = tree.visualItemRect(item).width() - 2 * tree.style().pixelMetric(
            tree.style().PixelMetric.PM_FocusFrameHMargin
        )
        if metrics.horizontalAdvance(item.text(0)) > room:
            cut.append(item.text(0))
        found += 1
    return cut


def test_palette_shows_every_block_name_in_full_at_the_default_size(make_window, qtbot):
    window = make_window()
    window.resize(1728, 972)
    window.reset_layout()
    window._size_docks()
    qtbot.wait(50)
    assert _cut_palette_names(window) == []
    window.resizeDocks(
        [window.docks["palette"]], [window.palette.names_width() - 40], Qt.Horizontal
    )
    qtbot.wait(50)
    assert "Pointwise Group Conv + Shuffle" in _cut_palette_names(window)  # the check can fail
