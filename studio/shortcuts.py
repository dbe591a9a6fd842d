"""Keep the canvas's editing shortcuts out of text fields: while one has focus, those keys are its own.

Qt asks the focused widget first (a ShortcutOverride event that travels up to the window); a line edit
claims the keys it knows (Delete, Ctrl+C, Ctrl+Z, …) but not Ctrl+D or Ctrl+L, which would then edit
the graph while the user types. The guard claims every editing shortcut for a focused text field.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit,
                               QWidget)

if TYPE_CHECKING:
    from studio.main_window import MainWindow

CANVAS_ACTIONS = ("undo", "redo", "cut", "copy", "paste", "duplicate", "delete", "select_all", "auto_layout",
                  "fit", "zoom_in", "zoom_out")
"""Actions (by name in MainWindow.actions_by_name) whose keys belong to a text field while it has focus."""


def is_text_input(widget: QWidget | None) -> bool:
    """True for widgets the user types into (line edits, spin boxes, text edits, editable combo boxes)."""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)):
        return True
    return isinstance(widget, QComboBox) and widget.isEditable()


class TypingGuard(QObject):
    """Event filter for the window and its docks: claims canvas shortcuts while a text field has focus."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Accept the ShortcutOverride of a canvas shortcut typed into a text field (the field gets the key)."""
        if event.type() != QEvent.Type.ShortcutOverride or not is_text_input(QApplication.focusWidget()):
            return False
        if self._is_canvas_key(event):
            event.accept()
            return True
        return False

    def _is_canvas_key(self, event: QKeyEvent) -> bool:
        """Whether the key is the shortcut of one of the canvas actions."""
        pressed = QKeySequence(event.keyCombination())
        actions = getattr(self.window, "actions_by_name", {})
        return any(pressed == shortcut for name in CANVAS_ACTIONS if name in actions
                   for shortcut in actions[name].shortcuts())
