"""The training-settings form, generated from runtime.training.settings.FIELDS (ParamSpecs) with the
editors of studio.forms; edits go to a callback."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from blocks.params import ParamSpec
from runtime.training.machine import gpu_count, machine_text
from runtime.training.settings import FIELDS, SettingsError, applies, check_value
from studio.engine import engine_loader
from studio.forms import FieldEditor


class SettingsForm(QWidget):
    """One row per training setting; `on_change(key, value)` is called for every accepted edit.
    Rows of settings that have no effect with the chosen ones (step epochs under a cosine
    schedule, focal gamma under cross-entropy) are hidden."""

    def __init__(
        self,
        on_change: Callable[[str, Any], None],
        on_error: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.on_change, self.on_error = on_change, on_error
        self.fields: dict[str, FieldEditor] = {}
        self.editors: dict[str, QWidget] = {}
        """Every editor widget by setting name."""
        self.values: dict[str, Any] = {spec.name: spec.default for spec in FIELDS}
        self.form = form = QFormLayout(self)
        for spec in FIELDS:
            field = FieldEditor(spec, lambda value, s=spec: self._edited(s, value), spin=True)
            label = spec.name.replace("_", " ")
            if spec.name == "all_gpus":
                self.machine = QLabel("this machine: looking for GPUs (PyTorch is loading)…")
                form.addRow("processes", self.machine)
                label = "use all"
                self._all_gpus = field.widget
                self._all_gpus.setEnabled(False)
                engine_loader().when_ready(self._offer_all)  # counting GPUs loads torch
            form.addRow(label, field.widget)
            self.fields[spec.name] = field
            self.editors[spec.name] = field.widget
            if hasattr(field.widget, "editingFinished"):
                field.widget.editingFinished.connect(lambda name=spec.name: self._settle(name))
        self._show_rows()

    def _settle(self, name: str) -> None:
        """Typing ended: a refused value gives way to the value in force."""
        field = self.fields[name]
        if field.value() != self.values[name]:
            field.show(self.values[name])

    def _show_rows(self) -> None:
        for spec in FIELDS:
            self.form.setRowVisible(self.editors[spec.name], applies(spec.name, self.values))

    def _offer_all(self) -> None:
        """'use all' trains one process per GPU under torchrun: offered with two GPUs or more."""
        count = gpu_count()
        self.machine.setText(machine_text(count))
        editor = self._all_gpus
        editor.setEnabled(count >= 2)
        editor.setToolTip(
            f"Train with torchrun on all {count} GPUs of this machine, one process each "
            "(the batch size is each process's)"
            if count >= 2
            else "Needs two or more GPUs; `convstudio train --nproc-per-node N` runs several "
            "processes on CPUs"
        )

    def load(self, training: dict[str, Any]) -> None:
        """Show a project's training section (defaults for missing keys)."""
        for spec in FIELDS:
            value = training.get(spec.name, spec.default)
            try:
                value = check_value(spec, value)
            except SettingsError as exc:
                value = spec.default
                self.on_error(str(exc))
            self.fields[spec.name].show(value)
            self.values[spec.name] = value
        self._show_rows()

    def _edited(self, spec: ParamSpec, value: Any) -> None:
        try:
            value = check_value(spec, value)
        except SettingsError as exc:
            self.on_error(str(exc))
            self.fields[spec.name].show(
                self.values[spec.name]
            )  # the value in force, not the refused one
            return
        self.values[spec.name] = value
        self._show_rows()
        self.on_change(spec.name, value)
