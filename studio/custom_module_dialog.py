"""Palette → "Custom module…": pick a .py file (or a module path) and a class, say that adding it
runs that code, then add the block with its constructor arguments."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from blocks import custom
from blocks.custom import CustomModuleError
from studio.dialog_footer import lay_out_with_footer

PYTHON_FILTER = "Python code (*.py)"


def module_classes(path: Path) -> list[str]:
    """Top-level classes a .py file defines, read without running it (nn.Module-looking first)."""
    classes, _ = custom.defined_names(path)

    def looks_like_module(c: ast.ClassDef) -> bool:
        return any(ast.unparse(b).split(".")[-1] == "Module" for b in c.bases)

    return [c.name for c in sorted(classes, key=lambda c: not looks_like_module(c))]


@dataclass(frozen=True)
class CustomModuleRequest:
    """The block's parameters as the dialog gathered them."""

    module: str
    args: str
    kwargs: str

    def params(self) -> dict[str, str]:
        """The custom module block's parameters."""
        return {"module": self.module, "args": self.args, "kwargs": self.kwargs}


class CustomModuleDialog(QDialog):
    """File or module, class, constructor arguments, and the warning that adding it runs code."""

    def __init__(self, parent: QWidget, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add custom module")
        self.source = QLineEdit(str(path) if path else "")
        self.source.setPlaceholderText("path/to/layers.py or package.module")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.source, 1)
        row.addWidget(browse)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.lineEdit().setPlaceholderText("the nn.Module class")
        self.args = QLineEdit("[]")
        self.args.setPlaceholderText("positional arguments as a JSON list, e.g. [64]")
        self.kwargs = QLineEdit("{}")
        self.kwargs.setPlaceholderText('keyword arguments as a JSON object, e.g. {"heads": 4}')
        form = QFormLayout()
        form.addRow("Code", row)
        form.addRow("Class", self.name)
        form.addRow("Arguments", self.args)
        form.addRow("Keyword arguments", self.kwargs)
        self.warning, self.error, self.add_button = lay_out_with_footer(
            self, form, "Run and Add", self._accept
        )
        self.source.textChanged.connect(self._source_changed)
        self._source_changed()
        self.resize(560, self.sizeHint().height())

    def _browse(self) -> None:
        start = self.source.text().strip() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Custom module code", start, PYTHON_FILTER)
        if path:
            self.source.setText(path)

    def _source_changed(self) -> None:
        """Offer the file's classes and name the code that adding the block runs."""
        text = self.source.text().strip()
        typed = self.name.currentText()
        self.name.clear()
        if text.endswith(".py"):
            self.name.addItems(module_classes(Path(text).expanduser()))
        if typed and self.name.findText(typed) < 0:
            self.name.setCurrentText(typed)
        what = Path(text).name if text.endswith(".py") else (text or "the module")
        self.warning.setText(
            f"<b>Adding this block imports {what} and runs its code</b> (the module itself and "
            "the class's constructor) with your permissions, now and whenever this project is "
            "opened and trusted. Add only code you trust."
        )

    def request(self) -> CustomModuleRequest:
        """The block's parameters (CustomModuleError naming the field at fault)."""
        source, name = self.source.text().strip(), self.name.currentText().strip()
        if not source:
            raise CustomModuleError("name a .py file or a module (package.module)")
        if source.endswith(".py"):
            path = Path(source).expanduser()
            if not path.is_file():
                raise CustomModuleError(f"'{source}' is not a file")
            source = str(path.resolve())
        if not name:
            raise CustomModuleError("name the class to add")
        reference = f"{source}:{name}"
        custom.split_reference(reference)
        args, kwargs = self.args.text().strip() or "[]", self.kwargs.text().strip() or "{}"
        custom.parse_arguments(args, kwargs)
        return CustomModuleRequest(reference, args, kwargs)

    def _accept(self) -> None:
        try:
            request = self.request()
            custom.trust(request.module)  # the person was told; now run it
            custom.load_class(request.module)
        except CustomModuleError as exc:
            self.error.setText(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the user's module: any failure is one line
            self.error.setText(f"{self.source.text().strip()}: {type(exc).__name__}: {exc}")
            return
        self.accept()
