"""The Runs panel: a CLI run shows up; sort, select to overlay curves, label, open, compare,
resume."""

import pytest
from PySide6.QtCore import QPoint, Qt

from runtime.cli import main
from runtime.project import load_project
from runtime.runs.recorder import RunRecorder
from runtime.runs.store import RunStore
from runtime.training.checkpoint import read_checkpoint
from tests.runtime.training_helpers import tiny_project


@pytest.fixture
def setup(tmp_path, make_window):
    project_file = tiny_project(epochs=2).save(tmp_path / "tiny.json")
    assert (
        main(["train", str(project_file), "--device", "cpu", "--out", str(tmp_path / "out")]) == 0
    )
    extra = RunRecorder.start(
        load_project(project_file), tmp_path / "tiny.runs", "test", name="empty run"
    )
    extra.finish("stopped", "stopped at once")
    window = make_window(load_project(project_file))
    yield window, window.training_ui.runs, project_file
    window.training_ui.controller.shutdown()


def _click_row(qtbot, table, row):
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_cli_run_appears_sorts_and_overlays_curves(setup, qtbot):
    window, runs, project_file = setup
    panel = runs.panel
    assert panel.store.root == project_file.with_name("tiny.runs")
    assert {r.name for r in panel.model.records} == {"run 1", "empty run"}
    header = panel.table.horizontalHeader()
    accuracy_header = QPoint(header.sectionViewportPosition(6) + 5, 5)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=accuracy_header)
    first = panel.proxy.index(0, 1).data()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=accuracy_header)
    assert {first, panel.proxy.index(0, 1).data()} == {"run 1", "empty run"}
    row = next(r for r in range(2) if panel.proxy.index(r, 1).data() == "run 1")
    _click_row(qtbot, panel.table, row)
    assert [r.name for r in panel.selected()] == ["run 1"]
    curves = panel.plot.getPlotItem().listDataItems()
    assert len(curves) == 1 and list(curves[0].getData()[0]) == [1, 2]
    assert (
        panel.proxy.index(row, 6).data().endswith("%")
        and panel.proxy.index(row, 3).data() == "completed"
    )
    panel.rename("baseline")
    qtbot.mouseClick(panel.buttons["star"], Qt.MouseButton.LeftButton)
    panel.edit_note("first try")
    record = RunStore(panel.store.root).get("baseline")
    assert record.starred and record.note == "first try"
    assert [r.name for r in panel.selected()] == ["baseline"]  # the selection survives the refresh
    panel.search.setText("first")
    assert panel.proxy.rowCount() == 1


def test_open_compare_and_delete(setup, qtbot):
    window, runs, project_file = setup
    panel = runs.panel
    run = next(r for r in panel.model.records if r.name == "run 1")
    doc = window.document()
    conv = doc.project.graph.by_name("conv1")
    doc.set_params([conv.id], {"out_channels": 8})
    panel.select_run(run.id)
    qtbot.mouseClick(panel.buttons["compare"], Qt.MouseButton.LeftButton)
    assert window.scene.nodes[conv.id].diff_mark == "changed"
    assert "~ conv1 (conv2d): out_channels 4 → 8" in runs.comparison.text.toPlainText()
    runs.comparison.reject()
    assert window.scene.nodes[conv.id].diff_mark is None
    doc.undo_stack.setClean()
    qtbot.mouseClick(panel.buttons["open"], Qt.MouseButton.LeftButton)
    opened = window.current_project()
    assert opened.path is None and opened.graph.by_name("conv1").params["out_channels"] == 4
    assert opened.training["epochs"] == 2 and "run 1" in opened.name
    panel.set_folder(project_file.with_name("tiny.runs"))
    panel.select_run(next(r.id for r in panel.model.records if r.name == "empty run"))
    panel.delete(confirm=False)
    assert [r.name for r in panel.model.records] == ["run 1"]


def test_resume_a_run_from_the_panel(setup, qtbot):
    window, runs, project_file = setup
    run = next(r for r in runs.panel.model.records if r.name == "run 1")
    runs.resume_run(run, epochs=3)
    controller = window.training_ui.controller
    assert controller.state == "running"
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=60000)
    resumed = [
        r for r in RunStore(project_file.with_name("tiny.runs")).list() if r.resumed_from == run.id
    ]
    assert len(resumed) == 1 and resumed[0].status == "completed" and resumed[0].epochs == 3
    folder = resumed[0].folder
    last = read_checkpoint(folder / "last.json")["weights"]  # best.json only when it improved
    assert resumed[0].source == "window" and (folder / last).exists()
    assert any(r.id == resumed[0].id for r in runs.panel.model.records)


def test_sweep_dialog_runs_a_grid_and_applies_the_best(setup, qtbot):
    pytest.importorskip(
        "optuna", reason="sweeps need the optional extra convstudio[sweep] (optuna)"
    )
    window, runs, project_file = setup
    dialog = window.training_ui.open_sweep()
    dialog.space.setPlainText('{"conv1.out_channels": [2, 6], "lr": [0.01]}')
    dialog.sampler.setCurrentText("grid")
    dialog.epochs.setValue(1)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.start_button.text() == "Stop"
    qtbot.waitUntil(lambda: dialog.thread is None, timeout=240000)
    assert dialog.table.rowCount() == 2 and "best of study" in dialog.message.text()
    assert {dialog.table.item(r, 2).text() for r in range(2)} == {"complete"}
    assert len(dialog.scatter.points()) == 2
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    best = dialog.report.best_values["conv1.out_channels"]
    assert window.current_project().graph.by_name("conv1").params["out_channels"] == best
    window.document().undo_stack.undo()
    assert window.current_project().graph.by_name("conv1").params["out_channels"] == 4
    dialog.close()
    assert sum(1 for r in runs.panel.model.records if r.source == "sweep") == 2


def test_sweep_dialog_refuses_a_bad_space_in_one_line(setup, qtbot):
    window, runs, _ = setup
    dialog = window.training_ui.open_sweep()
    assert "conv1.out_channels" in dialog.space.toPlainText()
    dialog.space.setPlainText('{"conv9.out_channels": [2]}')
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.thread is None and "no node named 'conv9'" in dialog.message.text()
    dialog.close()
