"""Editors for typed fields (blocks.params.ParamSpec): built, read and shown one way for the
inspector and the settings form.

Integers are never silently clamped or reverted: their box takes any integer typed into it and hands
it on, so that a value out of range is refused with its reason by whoever checks it; only its step
arrows stay inside the bounds. Block parameters that are floats are free text, parsed as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from blocks.params import ParamSpec

INT_RANGE = (-(2**31), 2**31 - 1)
"""What a QSpinBox can hold."""


class IntField(QSpinBox):
    """An integer box that accepts any integer typed (a bad one is refused, with its reason, by the
    owner) while its arrows and wheel step only inside the spec's bounds."""

    def __init__(self, low: int, high: int) -> None:
        super().__init__()
        self.low, self.high = low, high
        self.setRange(*INT_RANGE)

    def stepBy(self, steps: int) -> None:
        """Step, but never out of [low, high]."""
        self.setValue(min(self.high, max(self.low, self.value() + steps)))

    def stepEnabled(self) -> QSpinBox.StepEnabledFlag:
        """Arrows are enabled only towards the inside of the bounds."""
        flags = QSpinBox.StepEnabledFlag.StepNone
        if self.value() < self.high:
            flags |= QSpinBox.StepEnabledFlag.StepUpEnabled
        if self.value() > self.low:
            flags |= QSpinBox.StepEnabledFlag.StepDownEnabled
        return flags


class ShareField(QDoubleSpinBox):
    """A share: a fraction below 1 (shown with the box's decimals, trailing zeros dropped) or a
    whole count (shown as an integer, e.g. 1000, not 1000.00)."""

    def textFromValue(self, value: float) -> str:
        """'1000' for a count, '0.2' for a fraction."""
        if value >= 1:
            return str(int(round(value)))
        return f"{value:.{self.decimals()}f}".rstrip("0").rstrip(".")

    def stepBy(self, steps: int) -> None:
        """Fractions step by the single step, counts by 100."""
        value = self.value()
        self.setValue(value + steps * (100 if value >= 1 else self.singleStep()))


@dataclass(frozen=True)
class SpinLook:
    """How a spin box shows a number field: its step, decimals, and a text for its lowest value."""

    step: float | None = None
    decimals: int | None = None
    special: str = ""
    """Shown instead of the lowest value (e.g. 'auto' for a 0 that means 'choose for me')."""


class FieldEditor:
    """One field's widget; `on_edit(value)` is called with every value the user enters."""

    def __init__(
        self,
        spec: ParamSpec,
        on_edit: Callable[[Any], None],
        spin: bool = False,
        look: SpinLook = SpinLook(),
    ) -> None:
        self.spec = spec
        self.on_edit = on_edit
        self.look = look
        self.widget = self._build(spin)
        self.widget.setToolTip(spec.help)
        if look.special and isinstance(self.widget, (QSpinBox, QDoubleSpinBox)):
            if isinstance(self.widget, IntField):
                # Qt shows the special text at the box's minimum: the spec's lowest value here
                self.widget.setMinimum(self.widget.low)
            self.widget.setSpecialValueText(look.special)

    def _build(self, spin: bool) -> QWidget:
        spec, look = self.spec, self.look
        if spec.kind == "bool":
            box = QCheckBox()
            box.toggled.connect(lambda _: self._edited())
            return box
        if spec.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(spec.choices))
            combo.currentTextChanged.connect(lambda _: self._edited())
            return combo
        if spec.kind == "int":
            low = INT_RANGE[0] if spec.minimum is None else max(INT_RANGE[0], int(spec.minimum))
            high = INT_RANGE[1] if spec.maximum is None else min(INT_RANGE[1], int(spec.maximum))
            box = IntField(low, high)
            box.setKeyboardTracking(
                spin
            )  # block parameters: one edit per finished number, not per digit
            box.valueChanged.connect(lambda _: self._edited())
            return box
        if spec.kind in ("float", "share") and spin:
            box = ShareField() if spec.kind == "share" else QDoubleSpinBox()
            maximum = spec.maximum if spec.maximum is not None else 1e9
            box.setDecimals(
                look.decimals if look.decimals is not None else 7 if maximum <= 10 else 3
            )
            minimum = spec.minimum if spec.minimum is not None else -1e9
            if spec.kind == "share":  # a share above 0: the smallest fraction the box can show
                minimum = max(minimum, 10.0 ** -box.decimals())
            box.setRange(minimum, maximum)
            numeric = isinstance(spec.default, (int, float)) and not isinstance(spec.default, bool)
            step = spec.default / 10 if numeric and spec.default else 0.01
            box.setSingleStep(look.step if look.step is not None else step)
            box.valueChanged.connect(lambda _: self._edited())
            return box
        line = QLineEdit()
        if spec.kind == "padding":
            line.setPlaceholderText("same, valid or a number")
        line.editingFinished.connect(self._edited)
        return line

    def _edited(self) -> None:
        self.on_edit(self.value())

    def value(self) -> Any:
        """The value in the widget (typed text parsed; left for the spec to check)."""
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            return w.currentText()
        if isinstance(w, QDoubleSpinBox):
            value = round(w.value(), w.decimals())  # the number shown, without binary noise
            return int(value) if self.spec.kind == "share" and value >= 1 else value
        if isinstance(w, QSpinBox):
            return w.value()
        return parse_text(self.spec, w.text())

    def show(self, value: Any) -> None:
        """Show `value` without reporting it as an edit."""
        w = self.widget
        w.blockSignals(True)
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(w, QSpinBox):
            w.setValue(int(value))
        elif isinstance(w, QDoubleSpinBox):
            w.setValue(float(value))
        else:
            w.setText(value_text(value))
        w.blockSignals(False)


def value_text(value: Any) -> str:
    """A value as a text field shows it (floats exactly, e.g. 1e-05)."""
    return repr(value) if isinstance(value, float) else str(value)


def parse_text(spec: ParamSpec, text: str) -> Any:
    """Typed text → value; text that is not a number stays a string, which the spec will refuse."""
    if spec.kind == "path":
        return text  # a path is taken as typed: its spaces may be part of a name
    text = text.strip()
    if spec.kind == "text":
        return text
    if spec.kind == "padding" and text in ("same", "valid"):
        return text
    for convert in (int, float) if spec.kind == "padding" else (float,):
        try:
            return convert(text)
        except ValueError:
            continue
    return text
