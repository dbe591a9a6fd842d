"""Keep the canvas's editing shortcuts out of text fields: while one has focus, those keys are its
own.

Qt asks the focused widget first (a ShortcutOverride event that travels up to the window); a line
edit claims the keys it knows (Delete, Ctrl+C, Ctrl+Z, …) but not Ctrl+D or Ctrl+L, which would then
edit the graph while the user types. The guard claims every editing shortcut for a focused text
field.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def is_text_input(widget: QWidget | None) -> bool:
    """True for widgets the user types into (line edits, spin boxes, text edits, editable combo
    boxes)."""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)):
        return True
    return isinstance(widget, QComboBox) and widget.isEditable()


class TypingGuard(QObject):
    """Event filter for the window and its docks: claims the given keys while a text field has focus
    (studio.actions.keys_of_text_fields lists them: the keys of actions that do not apply while
    typing)."""

    def __init__(self, keys: list[QKeySequence], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keys = list(keys)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Accept the ShortcutOverride of a canvas shortcut typed into a text field (the field gets
        the key)."""
        if event.type() != QEvent.Type.ShortcutOverride or not is_text_input(
            QApplication.focusWidget()
        ):
            return False
        if self._is_canvas_key(event):
            event.accept()
            return True
        return False

    def _is_canvas_key(self, event: QKeyEvent) -> bool:
        """Whether the key is one of the claimed shortcuts."""
        pressed = QKeySequence(event.keyCombination())
        return any(pressed == key for key in self.keys)
