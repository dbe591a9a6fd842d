"""Palette → "Custom module…": a .py file and class chosen in a dialog that says the code will
run, then the block on the canvas."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from blocks.custom import is_trusted
from studio.custom_module_dialog import CustomModuleDialog, module_classes
from tests.studio.helpers import double_click

LAYERS = """
import torch
from torch import nn


class Helper:
    pass


class Gate(nn.Module):
    def __init__(self, channels, floor=0.0):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(channels, 1, 1))
        self.floor = floor

    def forward(self, x):
        return (x * self.scale).clamp(min=self.floor)
"""


def _entry(window, title: str):
    tree = window.palette.tree
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        for j in range(group.childCount()):
            if group.child(j).text(0) == title:
                return group.child(j)
    raise AssertionError(f"no palette entry {title!r}")


def _double_click(window, item) -> None:
    tree = window.palette.tree
    tree.scrollToItem(item)
    double_click(tree.viewport(), tree.visualItemRect(item).center())


def test_custom_module_entry_asks_warns_and_adds_the_block(make_window, tmp_path: Path) -> None:
    window = make_window()
    code = tmp_path / "palette_layers.py"
    code.write_text(LAYERS, encoding="utf-8")
    assert module_classes(code) == ["Gate", "Helper"]
    dialog = CustomModuleDialog(window, code)
    assert "Adding this block imports palette_layers.py and runs its code" in dialog.warning.text()
    assert dialog.name.currentText() == "Gate"
    dialog.args.setText("[6]")
    dialog.kwargs.setText('{"floor": 0.5}')
    window.editing.custom_dialog = dialog
    before = set(window.doc.project.graph.nodes)
    QTimer.singleShot(300, lambda: QTest.mouseClick(dialog.add_button, Qt.LeftButton))
    _double_click(window, _entry(window, "Custom Module…"))
    added = [
        window.doc.project.graph.nodes[n] for n in set(window.doc.project.graph.nodes) - before
    ]
    assert len(added) == 1 and added[0].block == "custom_module"
    assert added[0].params == {
        "module": f"{code.resolve()}:Gate",
        "args": "[6]",
        "kwargs": '{"floor": 0.5}',
    }
    assert is_trusted(added[0].params["module"])
    window.doc.undo_stack.undo()
    assert set(window.doc.project.graph.nodes) == before


def test_bad_entries_stay_in_the_dialog_on_one_line(make_window, tmp_path: Path) -> None:
    window = make_window()
    code = tmp_path / "palette_more.py"
    code.write_text(LAYERS, encoding="utf-8")
    dialog = CustomModuleDialog(window, code)
    dialog.args.setText("[6,")
    QTest.mouseClick(dialog.add_button, Qt.LeftButton)
    assert "constructor arguments are not valid JSON" in dialog.error.text()
    dialog.args.setText("[6]")
    dialog.name.setCurrentText("Missing")
    QTest.mouseClick(dialog.add_button, Qt.LeftButton)
    assert "has no class 'Missing'" in dialog.error.text()
    dialog.source.setText(str(tmp_path / "absent.py"))
    QTest.mouseClick(dialog.add_button, Qt.LeftButton)
    assert "absent.py' is not a file" in dialog.error.text()
    assert dialog.result() == 0
    before = set(window.doc.project.graph.nodes)
    window.editing.custom_dialog = dialog
    QTimer.singleShot(300, dialog.reject)
    _double_click(window, _entry(window, "Custom Module…"))
    assert set(window.doc.project.graph.nodes) == before
