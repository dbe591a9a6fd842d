"""Menus, actions and shortcuts of the main window."""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from studio.main_window import MainWindow


def _action(window: "MainWindow", menu: QMenu, text: str, slot: Callable, shortcut=None) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda checked=False: slot())
    menu.addAction(action)
    return action


def build_menus(window: "MainWindow") -> dict[str, QAction]:
    """Create File, Edit, View, Templates and Export menus; returns the actions by name."""
    bar = window.menuBar()
    files, editing, view = window.files, window.editing, window.view
    acts: dict[str, QAction] = {}
    m = bar.addMenu("&File")
    acts["new"] = _action(window, m, "&New", files.new, QKeySequence.New)
    acts["open"] = _action(window, m, "&Open…", files.open, QKeySequence.Open)
    recent = m.addMenu("Open &Recent")
    recent.aboutToShow.connect(partial(_fill_recent, window, recent))
    m.addSeparator()
    acts["save"] = _action(window, m, "&Save", files.save, QKeySequence.Save)
    acts["save_as"] = _action(window, m, "Save &As…", files.save_as, QKeySequence.SaveAs)
    m.addSeparator()
    acts["quit"] = _action(window, m, "&Quit", window.close, QKeySequence.Quit)

    m = bar.addMenu("&Edit")
    undo = window.doc.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.Undo)
    redo = window.doc.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    m.addActions([undo, redo])
    acts["undo"], acts["redo"] = undo, redo
    m.addSeparator()
    acts["cut"] = _action(window, m, "Cu&t", editing.cut, QKeySequence.Cut)
    acts["copy"] = _action(window, m, "&Copy", editing.copy, QKeySequence.Copy)
    acts["paste"] = _action(window, m, "&Paste", editing.paste, QKeySequence.Paste)
    acts["duplicate"] = _action(window, m, "&Duplicate", editing.duplicate, "Ctrl+D")
    acts["delete"] = _action(window, m, "De&lete", editing.delete, QKeySequence.Delete)
    acts["delete"].setShortcuts([QKeySequence.Delete, QKeySequence("Backspace")])
    acts["select_all"] = _action(window, m, "Select &All", editing.select_all, QKeySequence.SelectAll)
    m.addSeparator()
    acts["auto_layout"] = _action(window, m, "Auto-&layout", editing.auto_layout, "Ctrl+L")

    m = bar.addMenu("&View")
    acts["fit"] = _action(window, m, "&Fit to View", view.fit, "Ctrl+0")
    acts["zoom_in"] = _action(window, m, "Zoom &In", lambda: view.zoom(1.25), QKeySequence.ZoomIn)
    acts["zoom_out"] = _action(window, m, "Zoom &Out", lambda: view.zoom(0.8), QKeySequence.ZoomOut)
    m.addSeparator()
    shade = m.addMenu("&Shade Nodes By")
    group = QActionGroup(window)
    for mode, text in (("none", "Nothing"), ("params", "Share of Parameters"), ("macs", "Share of Multiply-Adds")):
        action = QAction(text, window, checkable=True)
        action.setChecked(mode == "none")
        action.triggered.connect(partial(window.scene.set_shade_mode, mode))
        group.addAction(action)
        shade.addAction(action)
        acts[f"shade_{mode}"] = action
    m.addSeparator()
    panels = m.addMenu("&Panels")
    panels.aboutToShow.connect(partial(_fill_panels, window, panels))

    templates = bar.addMenu("&Templates")
    templates.aboutToShow.connect(partial(_fill_templates, window, templates))

    m = bar.addMenu("E&xport")
    acts["export_python"] = _action(window, m, "&Python Code…", partial(files.export, "python"), "Ctrl+E")
    acts["export_onnx"] = _action(window, m, "&ONNX…", partial(files.export, "onnx"))
    acts["export_png"] = _action(window, m, "Graph as P&NG…", partial(files.export, "png"))
    acts["export_svg"] = _action(window, m, "Graph as &SVG…", partial(files.export, "svg"))
    return acts


def _fill_recent(window: "MainWindow", menu: QMenu) -> None:
    menu.clear()
    for path in window.recent_files():
        menu.addAction(str(path), partial(window.files.open_recent, path))
    if menu.isEmpty():
        menu.addAction("(none)").setEnabled(False)


def _fill_templates(window: "MainWindow", menu: QMenu) -> None:
    from runtime.weights.pretrained import pretrained_for

    menu.clear()
    menu.setToolTipsVisible(True)
    for name, path in window.files.templates():
        action = menu.addAction(name, partial(window.files.open_template, path))
        source = pretrained_for(path.stem)
        tip = str(path)
        if source:
            tip += f"\nPretrained weights (download yourself, then Train → Load Weights…):\n{source.describe()}"
        action.setToolTip(tip)


def _fill_panels(window: "MainWindow", menu: QMenu) -> None:
    menu.clear()
    for dock in window.findChildren(type(next(iter(window.docks.values())))):
        menu.addAction(dock.toggleViewAction())
    menu.addSeparator()
    menu.addAction("&Reset Layout", window.reset_layout)
