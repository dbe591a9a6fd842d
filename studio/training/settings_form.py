"""The training-settings form, generated from runtime.training.settings.FIELDS; edits go into a dict."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox, QWidget)

from runtime.training.settings import FIELDS, Field, SettingsError, check_value


def _editor(spec: Field) -> QWidget:
    """The input widget for one field."""
    if spec.kind == "choice":
        box = QComboBox()
        box.addItems(list(spec.choices))
        return box
    if spec.kind == "bool":
        return QCheckBox()
    if spec.kind == "int":
        box = QSpinBox()
        box.setRange(int(spec.minimum), int(min(spec.maximum, 2**31 - 1)))
        return box
    box = QDoubleSpinBox()
    box.setDecimals(7 if spec.maximum <= 10 else 3)
    box.setRange(spec.minimum, spec.maximum)
    box.setSingleStep(spec.default / 10 if spec.default else 0.01)
    return box


def _get(widget: QWidget) -> Any:
    """The widget's current value."""
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    return widget.value()


def _set(widget: QWidget, value: Any) -> None:
    """Show `value` without emitting change signals."""
    widget.blockSignals(True)
    if isinstance(widget, QComboBox):
        widget.setCurrentText(str(value))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    else:
        widget.setValue(value)
    widget.blockSignals(False)


class SettingsForm(QWidget):
    """One row per training setting; `on_change(key, value)` is called for every accepted edit."""

    def __init__(self, on_change: Callable[[str, Any], None], on_error: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_change, self.on_error = on_change, on_error
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout(self)
        for spec in FIELDS:
            widget = _editor(spec)
            widget.setToolTip(spec.help)
            signal = (widget.currentTextChanged if isinstance(widget, QComboBox) else
                      widget.toggled if isinstance(widget, QCheckBox) else widget.valueChanged)
            signal.connect(lambda _=None, s=spec: self._edited(s))
            form.addRow(spec.name.replace("_", " "), widget)
            self.editors[spec.name] = widget

    def load(self, training: dict[str, Any]) -> None:
        """Show a project's training section (defaults for missing keys)."""
        for spec in FIELDS:
            value = training.get(spec.name, spec.default)
            try:
                _set(self.editors[spec.name], check_value(spec, value))
            except SettingsError as exc:
                _set(self.editors[spec.name], spec.default)
                self.on_error(str(exc))

    def _edited(self, spec: Field) -> None:
        try:
            value = check_value(spec, _get(self.editors[spec.name]))
        except SettingsError as exc:
            self.on_error(str(exc))
            return
        self.on_change(spec.name, value)
