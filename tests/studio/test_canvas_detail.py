"""Zoomed out the canvas is drawn as an overview, zoomed in item by item; both look right and stay
interactive."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from runtime.graph import Graph
from runtime.project import Project
from studio.canvas import style
from studio.canvas.items import node_fill
from studio.canvas.overview import OVERVIEW_BELOW
from tests.studio.helpers import drag


def grid_project(n: int = 120) -> Project:
    """A chain of convolutions laid out as a grid: many nodes on screen."""
    g = Graph()
    previous = g.add_node("input").id
    for _ in range(n):
        node = g.add_node("conv2d", {"out_channels": 4})
        g.connect(previous, node.id)
        previous = node.id
    for k, nid in enumerate(g.nodes):
        g.move(nid, ((k % 12) * 240.0, (k // 12) * 120.0))
    return Project(g, (3, 16, 16), name="grid")


def colour_at(window, scene_point: QPointF) -> QColor:
    """The colour drawn at a scene point (the viewport grabbed as the user sees it)."""
    view = window.view
    image = view.viewport().grab().toImage()
    point = view.mapFromScene(scene_point)
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))


def darkest_near(window, scene_point: QPointF) -> QColor:
    """The darkest colour within a pixel of a scene point (a one-pixel wire falls between
    pixels)."""
    view = window.view
    image = view.viewport().grab().toImage()
    point = view.mapFromScene(scene_point)
    ratio = image.devicePixelRatio()
    around = [
        image.pixelColor(int((point.x() + dx) * ratio), int((point.y() + dy) * ratio))
        for dx in (-1, 0, 1)
        for dy in (-1, 0, 1)
    ]
    return min(around, key=QColor.lightness)


def near(a: QColor, b: QColor, tolerance: int = 12) -> bool:
    """Colours equal up to antialiasing noise."""
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))


def zoom_out(window) -> None:
    """Fit the grid (well below the overview threshold)."""
    window.view.fit()
    assert window.view.transform().m11() < OVERVIEW_BELOW


def box_colour(window, item) -> QColor:
    """The commonest colour inside a node's box on screen (its fill, around the title)."""
    image = window.view.viewport().grab().toImage()
    box = window.view.mapFromScene(item.sceneBoundingRect()).boundingRect().adjusted(2, 2, -2, -2)
    counts: dict[int, int] = {}
    for x in range(box.left(), box.right()):
        for y in range(box.top(), box.bottom()):
            rgb = image.pixel(x, y)
            counts[rgb] = counts.get(rgb, 0) + 1
    return QColor(max(counts, key=counts.get))


def test_overview_draws_every_node_in_its_colour(make_window):
    window = make_window(grid_project())
    zoom_out(window)
    for nid in list(window.scene.nodes)[::17]:
        item = window.scene.nodes[nid]
        assert near(box_colour(window, item), node_fill(item)), nid


def test_overview_click_selects_and_drag_moves_a_node(make_window):
    window = make_window(grid_project())
    zoom_out(window)
    nid = list(window.scene.nodes)[30]
    item = window.scene.nodes[nid]
    old = item.pos()
    centre = window.view.mapFromScene(old)
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, centre)
    assert window.selected_node_ids() == [nid]
    drag(window, centre, centre + QPoint(0, 40))
    moved = window.doc.project.graph.nodes[nid].pos
    assert moved[1] > old.y() + 100
    # the overview redraws the box where it now is, in the selection colour's box
    assert near(box_colour(window, item), node_fill(item))
    window.doc.undo_stack.undo()
    assert window.doc.project.graph.nodes[nid].pos == (old.x(), old.y())


def test_overview_rubber_band_selects(make_window):
    window = make_window(grid_project())
    zoom_out(window)
    rect = window.view.mapFromScene(window.scene.items_rect()).boundingRect()
    drag(window, rect.topLeft() + QPoint(2, 2), rect.bottomRight() - QPoint(2, 2))
    assert len(window.selected_node_ids()) == len(window.doc.project.graph.nodes)


def test_wires_take_clicks_and_are_drawn_selected(window, qtbot):
    view = window.view
    view.resetTransform()
    graph = window.doc.project.graph
    conv1 = graph.by_name("conv1").id
    edge = next(e for e in window.scene.edges if e.src == conv1)
    wire = window.scene.edges[edge]
    middle = wire.path().pointAtPercent(0.5)
    view.centerOn(middle)
    assert near(darkest_near(window, middle), style.WIRE, tolerance=60)
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, view.mapFromScene(middle))
    assert window.scene.selected_edges() == [edge]
    assert near(darkest_near(window, middle), style.WIRE_SELECTED, tolerance=60)


def test_wire_label_is_drawn_in_view(window):
    view = window.view
    view.resetTransform()
    conv1 = window.doc.project.graph.by_name("conv1").id
    edge = next(e for e in window.scene.edges if e.src == conv1)
    box = window.scene.edges[edge].label_rect()
    view.centerOn(box.center())
    image = view.viewport().grab().toImage()
    area = view.mapFromScene(box).boundingRect()
    dark = sum(
        1
        for x in range(area.left(), area.right())
        for y in range(area.top(), area.bottom())
        if image.pixelColor(x, y).lightness() < 140
    )
    assert dark > 20  # the "6×28×28" glyphs


def test_labels_never_cover_each_other():
    from PySide6.QtCore import QRectF

    from studio.canvas.wires import _LabelSpots

    spots = _LabelSpots()
    first = spots.place(QRectF(0, 0, 84, 16), "16×32×32")
    assert first == QRectF(0, 0, 84, 16)
    assert spots.place(QRectF(30, 5, 84, 16), "16×32×32") is None  # the same shape, said once
    moved = spots.place(QRectF(30, 5, 84, 16), "32×16×16")
    assert moved is not None and not moved.intersects(first) and moved.left() == 30
    far = spots.place(QRectF(500, 500, 84, 16), "16×32×32")
    assert far == QRectF(500, 500, 84, 16)
