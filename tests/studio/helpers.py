"""Helpers shared by the editor tests: real mouse gestures on the canvas viewport."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest


def viewport_point(window, scene_point: QPointF) -> QPoint:
    """Where a scene point lies on the canvas viewport."""
    return window.view.mapFromScene(scene_point)


def out_port(window, node_id: str) -> QPoint:
    """Viewport position of a node's output port."""
    item = window.scene.nodes[node_id]
    return viewport_point(window, item.mapToScene(item.out_port_pos()))


def in_port(window, node_id: str, port: int = 0) -> QPoint:
    """Viewport position of a node's input port."""
    item = window.scene.nodes[node_id]
    return viewport_point(window, item.mapToScene(item.in_port_pos(port)))


def drag(window, start: QPoint, end: QPoint, steps: int = 5, release: bool = True) -> None:
    """Press at `start`, move in steps to `end`, release (real events on the viewport)."""
    viewport = window.view.viewport()
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        QTest.mouseMove(viewport, QPoint(int(point.x()), int(point.y())))
    if release:
        QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, end)
