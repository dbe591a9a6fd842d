"""Importing PyTorch models: exact parameters and outputs, key map, export → import stable, bad
input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from blocks.custom import load_file_module, split_reference
from runtime.analysis import analyze
from runtime.cli import main
from runtime.compile import build_model
from runtime.python_export import class_name, export_python
from runtime.importing.errors import ModelImportError
from runtime.importing.pytorch import import_pytorch
from runtime.project import Project, load_project
from runtime.weights.match import match_state_dict
from runtime.weights.project_weights import network_shapes
from tests.runtime.import_models import MODELS, NAMES

SHAPE = (3, 32, 32)


@pytest.fixture(scope="module")
def models_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("user_models") / "models.py"
    path.write_text(MODELS)
    return path


def original(models_file: Path, name: str) -> torch.nn.Module:
    """The user's model with every tensor (BatchNorm statistics included) set away from its
    default."""
    torch.manual_seed(1)
    module = getattr(load_file_module(models_file), name)().eval()
    with torch.no_grad():
        for key, value in module.state_dict().items():
            if value.dtype.is_floating_point:
                value.copy_(
                    torch.rand_like(value) + 0.5
                    if "running_var" in key
                    else torch.randn_like(value)
                )
    return module


def structure(project: Project) -> list[tuple]:
    """The graph as (name, block, params, input names) in order; custom modules by class name
    only."""
    graph = project.graph
    rows = []
    for nid in graph.topological_order():
        node = graph.nodes[nid]
        params = dict(node.params)
        if node.block == "custom_module":
            params["module"] = split_reference(params["module"])[1]
        rows.append(
            (node.name, node.block, params, [graph.nodes[e.src].name for e in graph.inputs_of(nid)])
        )
    return rows


@pytest.mark.parametrize("name", NAMES)
def test_import_is_exact_and_export_import_stable(models_file: Path, name: str) -> None:
    result = import_pytorch(f"{models_file}:{name}", SHAPE)
    module = original(models_file, name)
    assert analyze(result.project).params_total == sum(p.numel() for p in module.parameters())

    report = match_state_dict(
        module.state_dict(), network_shapes(result.project), result.key_map, by_order=False
    )
    assert not report.missing and not report.unexpected and not report.mismatched
    model = build_model(result.project).eval()
    model.load_state_dict({net: module.state_dict()[key] for net, key in report.matched.items()})
    x = torch.randn(4, *SHAPE)
    with torch.no_grad():
        assert torch.allclose(model(x), module(x), atol=1e-5)

    exported = models_file.parent / f"exported_{name}.py"
    export_python(result.project, exported)
    again = import_pytorch(f"{exported}:{class_name(result.project)}", SHAPE)
    assert structure(again.project) == structure(result.project)


def test_custom_module_keeps_class_arguments_and_weights(models_file: Path) -> None:
    result = import_pytorch(f"{models_file}:CustomNet", SHAPE)
    gate = result.project.graph.by_name("gate")
    up = result.project.graph.by_name("up")
    assert gate.block == up.block == "custom_module"
    assert gate.params["module"].endswith("models.py:PowerGate")
    assert json.loads(gate.params["args"]) == [8] and json.loads(gate.params["kwargs"]) == {
        "exponent": 3.0
    }
    assert up.params["module"] == "torch.nn:Upsample"
    assert result.key_map["gate.weight"] == "gate.weight"
    source = models_file.parent / "exported_custom.py"
    export_python(result.project, source)
    text = source.read_text()
    assert (
        "from models import PowerGate" in text
        and "Needs PyTorch and the user's own models.py" in text
    )


def test_cli_import_writes_project_with_referenced_weights(
    models_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "viewnet.json"
    assert (
        main(
            [
                "import",
                f"{models_file}:ViewNet",
                "-o",
                str(out),
                "--input",
                "3x32x32",
                "--args",
                '{"classes": 7}',
                "--trust-code",
            ]
        )
        == 0
    )
    assert "wrote" in capsys.readouterr().err
    project = load_project(out)
    assert (tmp_path / project.extra["weights"]["file"]).is_file()
    torch.manual_seed(0)
    module = load_file_module(models_file).ViewNet(classes=7).eval()
    module.load_state_dict(torch.load(_save_weights(module, tmp_path), weights_only=True))
    assert main(["weights", str(out), "--load", str(tmp_path / "viewnet_original.pt")]) == 0
    assert "0 missing, 0 unexpected, 0 of another shape" in capsys.readouterr().err
    model = build_model(load_project(out)).eval()
    x = torch.randn(2, *SHAPE)
    with torch.no_grad():
        assert torch.allclose(model(x), module(x), atol=1e-5)


def _save_weights(module: torch.nn.Module, folder: Path) -> Path:
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.1)
    path = folder / "viewnet_original.pt"
    torch.save(module.state_dict(), path)
    return path


BAD = {
    "syntax": ("def broken(:\n    pass\n", "Net", ":1: syntax error"),
    "missing": (
        "from torch import nn\nclass Net(nn.Module):\n    pass\n",
        "Other",
        ": has no class or function 'Other' (it defines Net)",
    ),
    "raises": (
        (
            "from torch import nn\nclass Net(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()\n        raise ValueError('width must be even')\n"
        ),
        "Net",
        ":5: Net(...) raised ValueError: width must be even",
    ),
    "untraceable": (
        (
            "from torch import nn\nclass Net(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()\n        self.conv = nn.Conv2d(3, 4, 3)\n"
            "    def forward(self, x):\n        if x.sum() > 0:\n            return self.conv(x)\n"
            "        return x\n"
        ),
        "Net",
        ":7: forward cannot be traced by torch.fx",
    ),
    "no block": (
        (
            "import torch\nfrom torch import nn\nclass Net(nn.Module):\n    def forward(self, x):\n"
            "        return torch.matmul(x, x)\n"
        ),
        "Net",
        ":5: torch.matmul has no block in ConvStudio",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_model_files_fail_on_one_line_naming_file_and_line(tmp_path: Path, case: str) -> None:
    text, name, expected = BAD[case]
    path = tmp_path / f"bad_{case.replace(' ', '_')}.py"
    path.write_text(text)
    with pytest.raises(ModelImportError) as info:
        import_pytorch(f"{path}:{name}", SHAPE)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(
        str(path.resolve()) if case in ("untraceable", "no block") else str(path)
    )
    assert expected in message


def test_cli_reports_a_bad_source_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert (
        main(
            [
                "import",
                str(tmp_path / "absent.py") + ":Net",
                "-o",
                str(tmp_path / "x.json"),
                "--trust-code",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "absent.py: does not exist" in err


def test_imported_models_are_grouped_by_their_top_level_modules(models_file: Path) -> None:
    from runtime.groups import groups

    graph = import_pytorch(f"{models_file}:ResidualNet", SHAPE).project.graph
    found = {name: [graph.nodes[n].name for n in ids] for name, ids in groups(graph).items()}
    assert list(found) == ["layer1"]  # one-layer modules (stem, bn, fc) make no group
    assert found["layer1"][0] == "layer1_0_conv1" and found["layer1"][-1] == "layer1_1_relu_4"
    assert len(found["layer1"]) == 16
