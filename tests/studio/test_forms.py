"""Typed field editors (studio.forms), without a window: what each kind shows, reads and reports."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from blocks.params import ParamSpec
from studio.forms import FieldEditor, parse_text


def test_each_kind_gets_its_editor_and_round_trips(qapp):
    seen = []
    specs = {
        "int": ParamSpec("n", "int", 3, "count", 1, 10),
        "bool": ParamSpec("b", "bool", False),
        "choice": ParamSpec("c", "choice", "a", choices=("a", "b")),
        "padding": ParamSpec("p", "padding", "same"),
        "float": ParamSpec("f", "float", 0.5, "", 0, 1),
        "text": ParamSpec("t", "text", ""),
    }
    values = {
        "int": 7,
        "bool": True,
        "choice": "b",
        "padding": 2,
        "float": 1e-05,
        "text": "model.Net",
    }
    kinds = {
        "int": QSpinBox,
        "bool": QCheckBox,
        "choice": QComboBox,
        "padding": QLineEdit,
        "float": QLineEdit,
        "text": QLineEdit,
    }
    for kind, spec in specs.items():
        field = FieldEditor(spec, seen.append)
        assert isinstance(field.widget, kinds[kind]) and field.widget.toolTip() == spec.help
        field.show(values[kind])
        assert field.value() == values[kind]
    assert seen == []  # showing a value is not an edit


def test_spin_style_keeps_floats_in_bounds_and_text_style_hands_on_what_was_typed(qapp):
    seen = []
    spin = FieldEditor(ParamSpec("lr", "float", 0.05, "", 1e-7, 10.0), seen.append, spin=True)
    assert isinstance(spin.widget, QDoubleSpinBox) and spin.widget.maximum() == 10.0
    spin.widget.setValue(0.25)
    assert seen == [0.25]
    text = FieldEditor(ParamSpec("p", "float", 0.5, "", 0, 1), seen.append)
    text.widget.setText("1.5")
    text.widget.editingFinished.emit()
    assert seen[-1] == 1.5  # out of bounds, but not clamped: the spec refuses it with its reason


def test_parse_text():
    padding = ParamSpec("p", "padding", "same")
    assert parse_text(padding, " valid ") == "valid" and parse_text(padding, "3") == 3
    assert parse_text(ParamSpec("f", "float", 0.0), "1e-3") == 0.001
    assert parse_text(ParamSpec("f", "float", 0.0), "abc") == "abc"
