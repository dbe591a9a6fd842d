"""Pretrained weights: torchvision's names into templates, safe reading, fallback matching, use
everywhere."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from torch import nn

from runtime.cli import main
from runtime.compile import build_model
from runtime.project import load_project
from runtime.weights.files import WeightsFileError, read_state_dict
from runtime.weights.match import match_state_dict
from runtime.weights.pretrained import pretrained_for
from runtime.weights.project_weights import load_weights_into, network_shapes
from runtime.zoo import TEMPLATES


class TvBasicBlock(nn.Module):
    """torchvision's BasicBlock, with its attribute names."""

    def __init__(self, inplanes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class TvResNet18(nn.Module):
    """torchvision's resnet18 layout and state_dict names, built here (nothing is downloaded)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        widths, cin = (64, 128, 256, 512), 64
        for i, width in enumerate(widths, start=1):
            stride = 1 if i == 1 else 2
            self.add_module(
                f"layer{i}",
                nn.Sequential(TvBasicBlock(cin, width, stride), TvBasicBlock(width, width)),
            )
            cin = width
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, 1000)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def _randomised(model: nn.Module) -> nn.Module:
    torch.manual_seed(3)
    with torch.no_grad():
        for key, value in model.state_dict().items():
            if value.dtype.is_floating_point:
                value.copy_(
                    torch.rand_like(value) + 0.5
                    if "running_var" in key
                    else torch.randn_like(value) * 0.05
                )
    return model.eval()


@pytest.fixture()
def resnet18_project(tmp_path: Path) -> Path:
    project = TEMPLATES["resnet18"].build()
    project.input_shape = (3, 32, 32)
    return project.save(tmp_path / "resnet18.json")


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_torchvision_names_load_into_the_template(
    resnet18_project: Path, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture
) -> None:
    reference = _randomised(TvResNet18())
    weights = tmp_path / f"resnet18-tv{suffix}"
    if suffix == ".pth":
        torch.save(reference.state_dict(), weights)
    else:
        save_file({k: v.contiguous() for k, v in reference.state_dict().items()}, str(weights))
    assert main(["weights", str(resnet18_project), "--load", str(weights)]) == 0
    report = capsys.readouterr().err
    assert "(0 by order and shape), 0 missing, 0 unexpected, 0 of another shape" in report
    project = load_project(resnet18_project)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(build_model(project).eval()(x), reference(x), atol=1e-5)
    doc = json.loads(resnet18_project.read_text())
    assert doc["weights"]["file"] == "resnet18.weights.safetensors"


def test_order_and_shape_fallback_when_names_differ(resnet18_project: Path, tmp_path: Path) -> None:
    reference = _randomised(TvResNet18())
    renamed = {f"t{i:03d}": v for i, v in enumerate(reference.state_dict().values())}
    project = load_project(resnet18_project)
    torch.save(
        renamed, tmp_path / "renamed.pth"
    )  # a .pth keeps its order; safetensors files are name-ordered
    report = load_weights_into(project, tmp_path / "renamed.pth", resnet18_project)
    assert len(report.by_order) == len(renamed) and not report.missing and not report.unexpected
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(build_model(project).eval()(x), reference(x), atol=1e-5)


def test_seeded_initialisation_without_weights(resnet18_project: Path) -> None:
    project = load_project(resnet18_project)
    a, b = build_model(project, seed=5), build_model(project, seed=5)
    assert all(torch.equal(a.state_dict()[k], b.state_dict()[k]) for k in a.state_dict())


def test_report_lists_missing_unexpected_and_mismatched() -> None:
    target = {"a.weight": (2, 3), "b.weight": (4,), "c.weight": (5,)}
    source = {"a.weight": torch.zeros(2, 3), "b.weight": torch.zeros(7), "zzz": torch.zeros(9, 9)}
    report = match_state_dict(source, target)
    assert report.matched == {"a.weight": "a.weight"}
    assert report.mismatched == [("b.weight", (4,), (7,))]
    assert report.missing == ["c.weight"] and report.unexpected == ["zzz"]
    assert "1 matched" in report.summary() and "1 of another shape" in report.summary()


def test_weights_with_no_matching_keys_fail_on_one_line(
    resnet18_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = _save(tmp_path / "other.safetensors", {"embedding.weight": torch.zeros(3, 3, 3)})
    assert main(["weights", str(resnet18_project), "--load", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "other.safetensors: no key matches the network" in err


def test_pickled_code_is_never_loaded(tmp_path: Path) -> None:
    path = tmp_path / "evil.pt"
    with open(path, "wb") as handle:
        pickle.dump({"w": Exploit()}, handle)
    with pytest.raises(WeightsFileError) as info:
        read_state_dict(path)
    message = str(info.value)
    assert "evil.pt: holds objects other than tensors" in message and "\n" not in message
    assert "weights_only" not in message  # torch's advice to load unsafely never reaches the user
    assert not (tmp_path / "pwned").exists()


def test_a_torch_archive_of_objects_is_refused_without_unsafe_advice(tmp_path: Path) -> None:
    path = tmp_path / "objects.pt"
    torch.save({"w": torch.zeros(2), "extra": Holder()}, path)
    with pytest.raises(WeightsFileError) as info:
        read_state_dict(path)
    message = str(info.value)
    assert "holds objects other than tensors" in message and "is refused" in message
    assert "weights_only" not in message and "\n" not in message


def test_a_file_that_is_no_pickle_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "text.pt"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(WeightsFileError, match="text.pt: is not a PyTorch weight file$"):
        read_state_dict(path)


class Holder:
    """A plain object: torch.save pickles it, a weights-only load refuses it."""


class Exploit:
    """Unpickling this would run code."""

    def __reduce__(self) -> tuple:
        return (Path.touch, (Path("pwned"),))


def test_weights_are_used_by_export(resnet18_project: Path, tmp_path: Path) -> None:
    project = load_project(resnet18_project)
    shapes = network_shapes(project)
    state = {
        k: torch.full(s, 0.25) for k, s in shapes.items() if not k.endswith("num_batches_tracked")
    }
    load_weights_into(project, _save(tmp_path / "flat.safetensors", state), resnet18_project)
    project.save()
    import onnxruntime

    from runtime.onnx_export import export_onnx

    path = export_onnx(load_project(resnet18_project), tmp_path / "r.onnx")
    x = torch.randn(2, 3, 32, 32)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x.numpy()})[0]
    with torch.no_grad():
        want = build_model(load_project(resnet18_project)).eval()(x)
        seeded = build_model(TEMPLATES["resnet18"].build()).eval()(x)
    assert torch.allclose(torch.from_numpy(got), want, rtol=1e-4, atol=1e-4)
    assert not torch.allclose(want, seeded, atol=1e-3)


def test_gallery_names_the_torchvision_weight_file() -> None:
    assert pretrained_for("resnet18").file == "resnet18-f37072fd.pth"
    assert pretrained_for("lenet5") is None


def _save(path: Path, tensors: dict[str, torch.Tensor]) -> Path:
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(path))
    return path


def test_save_as_elsewhere_takes_the_weights_along(resnet18_project: Path, tmp_path: Path) -> None:
    reference = _randomised(TvResNet18())
    torch.save(reference.state_dict(), tmp_path / "tv.pth")
    project = load_project(resnet18_project)
    load_weights_into(project, tmp_path / "tv.pth", resnet18_project)
    project.save()
    elsewhere = tmp_path / "copy" / "renamed.json"
    project.save(elsewhere)
    assert (elsewhere.parent / "renamed.weights.safetensors").is_file()
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(
            build_model(load_project(elsewhere)).eval()(x), reference(x), atol=1e-5
        )
