"""The foot of a dialog that may run a person's code: warning, one-line error, buttons."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

ERROR_STYLE = "color: #b71c1c"
"""How a refusal reads in a dialog: dark red text."""


def lay_out_with_footer(
    dialog: QDialog, form: QFormLayout, accept_text: str, on_accept: Callable[[], None]
) -> tuple[QLabel, QLabel, QPushButton]:
    """Put `form` above a wrapped warning, a red error line and Cancel / `accept_text` buttons;
    returns (warning, error, accept button)."""
    warning = QLabel()
    warning.setWordWrap(True)
    error = QLabel()
    error.setWordWrap(True)
    error.setStyleSheet(ERROR_STYLE)
    buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
    accept = buttons.addButton(accept_text, QDialogButtonBox.AcceptRole)
    buttons.accepted.connect(on_accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(warning)
    layout.addWidget(error)
    layout.addWidget(buttons)
    return warning, error, accept
