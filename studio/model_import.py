"""Bring your own model in the window: File → Import Model…, Train → Load Weights…, trusting a
project's code, and the transfer-learning node actions (freeze, unfreeze, replace head)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QWidget,
)

from blocks import custom
from blocks.lazy import lazy
from runtime.errors import ConvStudioError, GraphError
from studio.dialog_footer import lay_out_with_footer

transfer = lazy("runtime.transfer")

if TYPE_CHECKING:
    from studio.main_window import MainWindow

MODEL_FILTER = "Models (*.py *.onnx);;PyTorch code (*.py);;ONNX (*.onnx)"
WEIGHTS_FILTER = "Weights (*.safetensors *.pt *.pth);;All files (*)"


@dataclass(frozen=True)
class ImportRequest:
    """What the import dialog asked for."""

    source: str
    input_shape: tuple[int, int, int] | None
    args: str | None


def model_names(path: Path) -> list[str]:
    """Top-level classes and functions a .py file defines, read without running it (classes
    first)."""
    classes, functions = custom.defined_names(path)
    return [c.name for c in reversed(classes)] + functions


class ImportDialog(QDialog):
    """The model to import and its input size; for Python code, a warning that importing runs it."""

    def __init__(self, parent: QWidget, path: Path) -> None:
        super().__init__(parent)
        self.path = path
        self.is_python = path.suffix.lower() == ".py"
        self.setWindowTitle(f"Import {path.name}")
        form = QFormLayout()
        form.addRow("File", QLabel(str(path)))
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(model_names(path) if self.is_python else [])
        self.shape = QLineEdit("3x224x224" if self.is_python else "")
        self.shape.setPlaceholderText(
            "C×H×W, e.g. 3x224x224" + ("" if self.is_python else " (default: from the file)")
        )
        self.args = QLineEdit()
        self.args.setPlaceholderText('constructor arguments as JSON, e.g. {"num_classes": 10}')
        if self.is_python:
            form.addRow("Model (class or function)", self.name)
        form.addRow("Input size", self.shape)
        if self.is_python:
            form.addRow("Arguments", self.args)
        if self.is_python:
            text = (
                f"<b>Importing runs the code in {path.name}</b> (the module and the model's "
                "constructor) with your permissions. Import only code you trust."
            )
        else:
            text = f"{path.name} is only read: no code runs."
        self.warning, self.error, self.import_button = lay_out_with_footer(
            self, form, "Run and Import" if self.is_python else "Import", self._accept
        )
        self.warning.setText(text)

    def _accept(self) -> None:
        try:
            self.request()
        except ConvStudioError as exc:
            self.error.setText(str(exc))
            return
        self.accept()

    def request(self) -> ImportRequest:
        """The request the fields describe (ConvStudioError when one is malformed)."""
        from runtime.cli.cmd_import import parse_input

        shape = parse_input(self.shape.text().strip() or None)
        if not self.is_python:
            return ImportRequest(str(self.path), shape, None)
        name = self.name.currentText().strip()
        if not name.isidentifier():
            raise ConvStudioError("name the model's class or function")
        return ImportRequest(
            f"{self.path}:{name}", shape or (3, 224, 224), self.args.text().strip() or None
        )


class ModelImport(QObject):
    """The window's import, weights, trust and transfer-learning actions."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.doc
        file_menu = _menu(window, "&File")
        self.import_action = QAction("&Import Model…", self, triggered=lambda: self.import_model())
        self.trust_action = QAction(
            "&Trust Project Code…", self, triggered=lambda: self.trust_code()
        )
        anchor = window.actions_by_name.get("save")
        file_menu.insertAction(anchor, self.import_action)
        file_menu.insertAction(anchor, self.trust_action)
        file_menu.insertSeparator(anchor)
        self.weights_action = QAction("Load &Weights…", self, triggered=lambda: self.load_weights())
        train_menu = _menu(window, "&Train")
        train_menu.addSeparator()
        train_menu.addAction(self.weights_action)
        window.actions_by_name.update(
            import_model=self.import_action,
            trust_code=self.trust_action,
            load_weights=self.weights_action,
        )

    # ----- import -----------------------------------------------------------------------
    def import_model(
        self,
        path: str | Path | None = None,
        out: str | Path | None = None,
        dialog: ImportDialog | None = None,
    ) -> bool:
        """Ask for a model file, say what importing does, import it, save it (with its weights) and
        open it."""
        if not self.window.files.maybe_save():
            return False
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.window, "Import model", self.window.dialog_folder(), MODEL_FILTER
            )
            if not path:
                return False
        path = Path(path)
        dialog = dialog or ImportDialog(self.window, path)
        if dialog.exec() != QDialog.Accepted:
            return False
        request = dialog.request()
        if out is None:
            suggested = str(path.with_name(path.stem + "_imported.json"))
            out, _ = QFileDialog.getSaveFileName(
                self.window, "Save imported project", suggested, "ConvStudio projects (*.json)"
            )
            if not out:
                return False
        return self.run_import(request, Path(out))

    def run_import(self, request: ImportRequest, out: Path) -> bool:
        """Import (busy cursor), write project and weights to `out`, open it; errors are shown."""
        from runtime.importing.save import save_import

        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            if request.source.lower().endswith(".onnx"):
                from runtime.importing.onnx_import import import_onnx

                result = import_onnx(request.source, request.input_shape)
            else:
                from runtime.importing.pytorch import import_pytorch

                result = import_pytorch(
                    request.source, request.input_shape or (3, 224, 224), request.args
                )
            path, _ = save_import(result, out, request.source)
        except ConvStudioError as exc:
            QGuiApplication.restoreOverrideCursor()
            self.window.tell("Cannot import model", str(exc))
            return False
        QGuiApplication.restoreOverrideCursor()
        if not self.window.files.load(path):
            return False
        self.window.view.fit()
        notes = "; ".join(result.warnings)
        self.window.show_status(
            f"Imported {result.project.name} into {path.name}" + (f" ({notes})" if notes else "")
        )
        return True

    # ----- weights ----------------------------------------------------------------------
    def load_weights(self, path: str | Path | None = None) -> bool:
        """Load pretrained weights into the project; they are saved next to its file and used from
        then on."""
        from runtime.weights.project_weights import load_weights_into

        project = self.doc.project
        if project.path is None:
            QMessageBox.information(
                self.window,
                "Load weights",
                "Save the project first: its weights are kept in a file next to it.",
            )
            if not self.window.files.save_as():
                return False
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.window, "Load weights", str(project.path.parent), WEIGHTS_FILTER
            )
            if not path:
                return False
        try:
            report = load_weights_into(project, path, project.path)
        except ConvStudioError as exc:
            self.window.tell("Cannot load weights", str(exc))
            return False
        self.window.files.save()
        self.doc.refresh_analysis()
        self.last_report = "\n".join(report.lines())
        self.window.show_status(f"Weights from {Path(path).name}: {report.summary()}")
        return True

    # ----- trust ------------------------------------------------------------------------
    def untrusted(self) -> list[str]:
        """Code the project's custom modules name that this session has not trusted yet."""
        found = []
        for node in self.doc.project.graph.nodes.values():
            if node.block != "custom_module":
                continue
            try:
                where, _ = custom.split_reference(node.params["module"])
                if not custom.is_trusted(node.params["module"]) and where not in found:
                    found.append(where)
            except custom.CustomModuleError:
                continue
        return found

    def trust_code(self, confirm: bool = True) -> bool:
        """Ask, naming the files, then let this session run the project's custom module code."""
        code = self.untrusted()
        if not code:
            self.window.show_status("The project uses no code that needs trusting")
            return False
        if confirm:
            answer = QMessageBox.question(
                self.window,
                "Trust project code",
                "This project's custom modules run code from:\n\n"
                + "\n".join(code)
                + "\n\nRun it with your permissions? Trust only code you know.",
            )
            if answer != QMessageBox.Yes:
                return False
        for node in self.doc.project.graph.nodes.values():
            if node.block == "custom_module":
                try:
                    custom.trust(node.params["module"])
                except custom.CustomModuleError:
                    continue
        self.doc.refresh_analysis()
        return True

    # ----- node actions -----------------------------------------------------------------
    def node_actions(self, menu: QMenu, node_ids: list[str]) -> None:
        """Freeze/Unfreeze for the selection, Replace Head… when the network has a head."""
        graph = self.doc.project.graph
        frozen = all(graph.nodes[n].extra.get("frozen") for n in node_ids)
        menu.addSeparator()
        menu.addAction(
            "Unfreeze" if frozen else "Freeze (do not train)",
            lambda: self.freeze(node_ids, not frozen),
        )
        try:
            transfer.head_change(graph, 1)
        except GraphError:
            return
        menu.addAction("Replace Head…", lambda: self.replace_head())

    def freeze(self, node_ids: list[str], frozen: bool) -> None:
        """Freeze or unfreeze nodes (one undoable step)."""
        names = ", ".join(self.doc.project.graph.nodes[n].name for n in node_ids[:3])
        text = f"{'Freeze' if frozen else 'Unfreeze'} {names}" + (" …" if len(node_ids) > 3 else "")
        self.doc.replace_graph(text, build=lambda p: transfer.set_frozen(p, node_ids, frozen))

    def replace_head(self, classes: int | None = None) -> bool:
        """Set the classifier to the data set's classes and start it afresh (one undoable step)."""
        if classes is None:
            node, _ = transfer.head_change(self.doc.project.graph, 1)
            default = int(node.params.get("num_classes") or node.params.get("out_features") or 10)
            classes, ok = QInputDialog.getInt(
                self.window, "Replace head", "Classes of the new head:", default, 1, 1 << 20
            )
            if not ok:
                return False
        reason = self.doc.replace_graph(
            f"Replace head ({classes} classes)", build=lambda p: transfer.replace_head(p, classes)
        )
        if reason is not None:
            self.window.tell("Cannot replace the head", reason)
            return False
        return True


def _menu(window: MainWindow, title: str) -> QMenu:
    for action in window.menuBar().actions():
        if action.text() == title and action.menu() is not None:
            return action.menu()
    return window.menuBar().addMenu(title)


def install_model_import(window: MainWindow) -> ModelImport:
    """Add the import, weights and transfer-learning actions to a window."""
    window.model_import = ModelImport(window)
    return window.model_import
