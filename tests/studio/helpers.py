"""Helpers shared by the editor tests: real mouse gestures on the canvas viewport, keys, popup
menus."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu


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


def activate(qtbot, window) -> None:
    """Make `window` the active window (keys and clicks give focus only there)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def focus(qtbot, widget) -> None:
    """Make `widget` the focused widget of its (activated) window."""
    activate(qtbot, widget.window())
    widget.setFocus(Qt.OtherFocusReason)
    qtbot.waitUntil(
        lambda: (
            QApplication.focusWidget() is widget or widget.isAncestorOf(QApplication.focusWidget())
        ),
        timeout=2000,
    )


def keys_to_focus(key, modifiers=Qt.NoModifier) -> None:
    """Press and release a key on whatever widget has the keyboard focus (shortcuts included)."""
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    QTest.keyClick(widget, key, modifiers)


def node_centre(window, node_id: str) -> QPoint:
    """Viewport position of the middle of a node (scrolled into view first)."""
    item = window.scene.nodes[node_id]
    window.view.ensureVisible(item, 10, 10)
    return viewport_point(window, item.sceneBoundingRect().center())


def right_click(window, point: QPoint) -> None:
    """A right click at a viewport point, sent to the native window so Qt opens the context menu as
    for a user."""
    viewport = window.view.viewport()
    where = viewport.mapTo(window, point)
    # Qt takes a press at the very point and button of the previous press for the second half of a
    # double click (and a double click opens no context menu); QTest's clock cannot be moved past
    # that, so the pointer arrives from elsewhere first, as a hand would.
    QTest.mouseMove(window.windowHandle(), where + QPoint(8, 8))
    QTest.mouseClick(window.windowHandle(), Qt.RightButton, Qt.NoModifier, where)


def choose_in_popup(text: str, seen: list, timeout_ms: int = 3000) -> None:
    """When a popup menu opens, walk to the entry whose text starts with `text` with the Down key,
    press Return.

    Records the entries it saw in `seen` (an error message instead when there was no such entry);
    the menu is closed in any case, so a blocking QMenu.exec always returns.
    """

    def attempt(left: int) -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            if left > 0:
                QTimer.singleShot(20, lambda: attempt(left - 20))
            else:
                seen.append("no popup menu opened")
            return
        entries = [a.text().replace("&", "") for a in menu.actions()]
        seen.append(entries)
        wanted = [
            a
            for a in menu.actions()
            if a.text().replace("&", "").startswith(text) and a.isEnabled()
        ]
        for _ in range(len(entries) + 1):
            if not wanted or menu.activeAction() is wanted[0]:
                break
            QTest.keyClick(menu, Qt.Key_Down)
        if wanted and menu.activeAction() is wanted[0]:
            QTest.keyClick(menu, Qt.Key_Return)
        else:
            seen.append(f"no entry '{text}'")
            menu.close()

    QTimer.singleShot(0, lambda: attempt(timeout_ms))


def double_click(widget, point: QPoint) -> None:
    """A double click as the platform delivers it: press, release, double-click, release."""
    QTest.mouseClick(widget, Qt.LeftButton, Qt.NoModifier, point)
    QTest.mouseDClick(
        widget, Qt.LeftButton, Qt.NoModifier, point
    )  # Qt 6 sends the double-click event alone
    QTest.mouseRelease(widget, Qt.LeftButton, Qt.NoModifier, point)
