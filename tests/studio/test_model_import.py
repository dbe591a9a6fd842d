"""The window's import, load-weights, trust and transfer-learning actions."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from blocks.custom import load_file_module
from runtime.compile import build_model
from runtime.project import load_project
from runtime.zoo import TEMPLATES
from studio.model_import import ImportDialog, model_names
from tests.runtime.import_models import MODELS
from tests.studio.helpers import choose_in_popup, node_centre, right_click


def test_import_model_says_it_runs_the_code_then_opens_the_project(
    make_window, qtbot, tmp_path: Path
) -> None:
    window = make_window()
    source = tmp_path / "models.py"
    source.write_text(MODELS)
    assert model_names(source)[:1] == ["CustomNet"] and "ViewNet" in model_names(source)
    dialog = ImportDialog(window, source)
    assert "Importing runs the code in models.py" in dialog.warning.text()
    dialog.name.setCurrentText("ViewNet")
    dialog.shape.setText("3x32x32")
    QTimer.singleShot(200, lambda: QTest.mouseClick(dialog.import_button, Qt.LeftButton))
    out = tmp_path / "viewnet.json"
    assert window.model_import.import_model(source, out, dialog=dialog)
    project = window.doc.project
    assert (
        project.path == out
        and project.name == "ViewNet"
        and (tmp_path / "viewnet.weights.safetensors").exists()
    )
    torch.manual_seed(0)
    module = load_file_module(source).ViewNet().eval()
    saved = load_project(out)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        # the window's project uses the module's own weights, not a fresh initialisation
        assert torch.allclose(
            build_model(saved).eval()(x), _with_weights(module, saved)(x), atol=1e-5
        )


def _with_weights(module: torch.nn.Module, project) -> torch.nn.Module:
    state = build_model(project).state_dict()
    key_map = project.extra["import"]["key_map"]
    module.load_state_dict({k: state[v] for k, v in key_map.items()})
    return module


def test_import_dialog_refuses_a_bad_input_size(make_window, tmp_path: Path) -> None:
    window = make_window()
    source = tmp_path / "m.py"
    source.write_text(MODELS)
    dialog = ImportDialog(window, source)
    dialog.shape.setText("3 by 32")
    QTest.mouseClick(dialog.import_button, Qt.LeftButton)
    assert not dialog.isVisible() or dialog.result() == 0
    assert "--input '3 by 32' is not CxHxW" in dialog.error.text()


def test_load_weights_from_the_train_menu(make_window, tmp_path: Path) -> None:
    project = TEMPLATES["resnet18"].build()
    project.input_shape = (3, 32, 32)
    project.save(tmp_path / "r18.json")
    window = make_window(load_project(tmp_path / "r18.json"))
    assert window.actions_by_name["load_weights"].text() == "Load &Weights…"
    reference = build_model(project, seed=9)
    torch.save(
        {k.replace("layer1_0", "layer1.0"): v for k, v in reference.state_dict().items()},
        tmp_path / "w.pth",
    )
    assert window.model_import.load_weights(tmp_path / "w.pth")
    assert "0 missing" in window.model_import.last_report
    assert (
        json.loads((tmp_path / "r18.json").read_text())["weights"]["file"]
        == "r18.weights.safetensors"
    )
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(
            build_model(window.doc.project).eval()(x), reference.eval()(x), atol=1e-5
        )


def test_freeze_from_the_context_menu_shows_a_lock_and_undoes(make_window, qtbot) -> None:
    window = make_window()
    conv = window.doc.project.graph.by_name("conv1").id

    def frozen() -> bool:
        return window.doc.project.graph.nodes[conv].extra.get("frozen") is True

    seen: list = []
    choose_in_popup("Freeze", seen)
    right_click(window, node_centre(window, conv))
    qtbot.waitUntil(lambda: frozen() or bool(seen and isinstance(seen[-1], str)), timeout=15000)
    assert frozen(), seen
    assert "Replace Head…" in seen[0]
    assert window.scene.nodes[conv].frozen
    assert window.doc.analysis.params_frozen == 156
    window.doc.undo_stack.undo()
    qtbot.wait(50)
    assert not frozen() and not window.scene.nodes[conv].frozen


def test_replace_head_is_one_undoable_edit(make_window) -> None:
    window = make_window()

    def head():
        return window.doc.project.graph.by_name("head1")

    classes = head().params["num_classes"]
    assert window.model_import.replace_head(3)
    assert head().params["num_classes"] == 3 and head().extra["reinitialise"]
    window.doc.undo_stack.undo()
    assert head().params["num_classes"] == classes and "reinitialise" not in head().extra


def test_untrusted_custom_module_is_a_problem_until_trusted(make_window, tmp_path: Path) -> None:
    code = tmp_path / "layers_to_trust.py"
    code.write_text(
        "from torch import nn\n\nclass Twice(nn.Module):\n    def "
        "forward(self, x):\n        return 2 * x\n"
    )
    project = load_project(
        Path(__file__).resolve().parents[2] / "assets" / "templates" / "lenet5.json"
    )
    graph = project.graph
    node = graph.add_node("custom_module", {"module": f"{code}:Twice"}, name="twice")
    conv = graph.by_name("conv1")
    after = graph.consumers(conv.id)[0]
    graph.disconnect(after)
    graph.connect(conv.id, node.id)
    graph.connect(node.id, after.dst, after.port)
    window = make_window(project)
    assert any("not trusted" in p.message for p in window.doc.analysis.problems)
    assert window.model_import.untrusted() == [str(code)]
    assert window.model_import.trust_code(confirm=False)
    assert not window.doc.analysis.problems
