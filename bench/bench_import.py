"""Bring-your-own-model targets, measured in one run (python -m bench.bench_import, < 1 minute):

- importing a ResNet-50-sized PyTorch module (trace, map, layout): at most 2 s;
- loading 100 MB of weights from safetensors into a network: at most 1 s;
- fine-tuning a pretrained ResNet-18-style network on a small generated data set beats training it
  from scratch: both validation curves are printed side by side.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from runtime.compile import build_model
from runtime.graph import Graph
from runtime.importing.pytorch import import_module
from runtime.importing.source import LoadedModel
from runtime.project import Project
from runtime.transfer import replace_head
from runtime.weights.files import write_safetensors
from runtime.weights.project_weights import load_weights_into
from runtime.zoo.net import Net


class Bottleneck(nn.Module):
    """torchvision's Bottleneck (v1.5: stride on the 3×3)."""

    def __init__(self, cin: int, width: int, stride: int = 1) -> None:
        super().__init__()
        out = width * 4
        self.conv1, self.bn1 = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = (
            nn.Conv2d(width, width, 3, stride, 1, bias=False),
            nn.BatchNorm2d(width),
        )
        self.conv3, self.bn3 = nn.Conv2d(width, out, 1, bias=False), nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != out:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, out, 1, stride, bias=False), nn.BatchNorm2d(out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


class ResNet50(nn.Module):
    """torchvision's resnet50 layout (25.6 M parameters)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)
        self.relu, self.maxpool = nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (depth, width) in enumerate(zip((3, 4, 6, 3), (64, 128, 256, 512)), start=1):
            blocks = []
            for j in range(depth):
                blocks.append(Bottleneck(cin, width, 2 if j == 0 and i > 1 else 1))
                cin = width * 4
            self.add_module(f"layer{i}", nn.Sequential(*blocks))
        self.avgpool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(2048, 1000)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def bench_import() -> float:
    """Seconds to import ResNet-50 (the second of two runs: the first pays for torch's lazy
    imports)."""
    from runtime.importing.ctor_record import recording_constructors

    with recording_constructors():
        model = ResNet50().eval()
    loaded = LoadedModel(model, "ResNet50", "bench:ResNet50", frozenset({__file__}))
    import_module(loaded, (3, 224, 224), "bench_import.py")
    start = time.perf_counter()
    result = import_module(loaded, (3, 224, 224), "bench_import.py")
    seconds = time.perf_counter() - start
    print(
        f"import ResNet-50 ({len(result.project.graph.nodes)} nodes, "
        f"{sum(p.numel() for p in model.parameters()):,} parameters): {seconds:.2f} s "
        f"(target ≤ 2 s, ratio {seconds / 2:.2f})"
    )
    return seconds


def _wide_project() -> Project:
    """Input → flatten → linear 5000 × 5000 (≈ 100 MB of float32 weights) → output."""
    graph = Graph()
    ids = [
        graph.add_node("input").id,
        graph.add_node("flatten").id,
        graph.add_node("linear", {"out_features": 5000}).id,
        graph.add_node("output", {"num_classes": 0}).id,
    ]
    for a, b in zip(ids, ids[1:]):
        graph.connect(a, b)
    return Project(graph, (5000, 1, 1), "Wide")


def bench_weights(folder: Path) -> float:
    """Seconds to load ~100 MB of referenced safetensors weights when the network is built (read and
    copy in); attaching them to the project once (match, write the copy next to it) is reported
    apart."""
    project = _wide_project()
    path = project.save(folder / "wide.json")
    linear = next(n.name for n in project.graph.nodes.values() if n.block == "linear")
    state = {f"{linear}.weight": torch.randn(5000, 5000), f"{linear}.bias": torch.randn(5000)}
    megabytes = sum(v.numel() * 4 for v in state.values()) / 1e6
    write_safetensors(folder / "wide_weights.safetensors", state)
    start = time.perf_counter()
    load_weights_into(project, folder / "wide_weights.safetensors", path)
    attach = time.perf_counter() - start
    seeded = min(_timed(lambda: build_model(_wide_project(), seed=None)) for _ in range(2))
    loaded = min(_timed(lambda: build_model(project, seed=None)) for _ in range(2))
    model = build_model(project, seed=None)
    assert torch.equal(getattr(model, linear).bias, state[f"{linear}.bias"])
    seconds = loaded - seeded
    print(
        f"{megabytes:.0f} MB of safetensors weights: attach to the project {attach:.2f} s (once); "
        f"build with them {loaded:.2f} s vs {seeded:.2f} s without, so loading takes "
        f"{seconds:.2f} s (target ≤ 1 s, ratio {seconds:.2f})"
    )
    return seconds


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _images(
    classes: int, per_class: int, seed: int, phase: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gratings whose orientation is the class (16×16, noisy); `phase` shifts the task."""
    g = torch.Generator().manual_seed(seed)
    ys, xs = torch.meshgrid(torch.arange(16.0), torch.arange(16.0), indexing="ij")
    images, labels = [], []
    for label in range(classes):
        angle = math.pi * (label + phase) / classes
        for _ in range(per_class):
            freq = 0.6 + 0.4 * torch.rand(1, generator=g).item()
            shift = 6.3 * torch.rand(1, generator=g).item()
            wave = torch.sin(freq * (xs * math.cos(angle) + ys * math.sin(angle)) + shift)
            images.append((wave + 0.8 * torch.randn(16, 16, generator=g)).expand(3, 16, 16))
            labels.append(label)
    return torch.stack(images), torch.tensor(labels)


def _small_resnet18(classes: int) -> Project:
    """The ResNet-18 layout (stem, four stages of two basic blocks, pooled head) at widths 8-64,
    16×16 input."""
    net = Net()
    net.conv_bn_act("conv1", 8, 3, padding=1, bn_name="bn1", act_name="relu")
    for stage, width in enumerate((8, 16, 32, 64), start=1):
        for i in range(2):
            net.add(
                "residual_basic",
                f"layer{stage}_{i}",
                out_channels=width,
                stride=2 if stage > 1 and i == 0 else 1,
            )
    net.add("global_avg_pool", "avgpool")
    net.add("flatten", "flatten")
    net.add("output", "fc", num_classes=classes)
    return net.project("ResNet-18 style", (3, 16, 16), "narrow ResNet-18")


def _fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    vx: torch.Tensor,
    vy: torch.Tensor,
    epochs: int,
    lr: float,
) -> list[float]:
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr)
    curve = []
    g = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), 32):
            batch = order[i : i + 32]
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            curve.append((model(vx).argmax(1) == vy).float().mean().item())
    return curve


def bench_finetune(folder: Path) -> tuple[list[float], list[float]]:
    """Validation accuracy per epoch: fine-tuned from pretrained weights vs from scratch (same data,
    same seed)."""
    torch.manual_seed(0)
    pre = _small_resnet18(8)
    source = build_model(pre, seed=1)
    px, py = _images(8, 32, 1, 0.0)
    _fit(source, px, py, px[:32], py[:32], 4, 3e-3)
    path = pre.save(folder / "pretrained.json")
    write_safetensors(folder / "pre.safetensors", source.state_dict())

    x, y = _images(4, 12, 2, 0.5)
    vx, vy = _images(4, 25, 3, 0.5)
    scratch_project = _small_resnet18(4)
    scratch = _fit(build_model(scratch_project, seed=5), x, y, vx, vy, 8, 2e-3)
    tuned_project = _small_resnet18(8)
    tuned_project.path = path
    load_weights_into(tuned_project, folder / "pre.safetensors", path)
    replace_head(tuned_project, 4)
    tuned = _fit(build_model(tuned_project, seed=5), x, y, vx, vy, 8, 1e-3)
    print("epoch   scratch   fine-tuned   (validation accuracy, 48 training images, 4 classes)")
    for epoch, (a, b) in enumerate(zip(scratch, tuned), start=1):
        print(f"{epoch:5d}   {a:7.2f}   {b:10.2f}")
    print(f"best: scratch {max(scratch):.2f}, fine-tuned {max(tuned):.2f}")
    return scratch, tuned


def main() -> int:
    """Run every measurement; exit status 1 when a target is missed."""
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        seconds_import = bench_import()
        seconds_weights = bench_weights(Path(folder))
        scratch, tuned = bench_finetune(Path(folder))
    ok = seconds_import <= 2 and seconds_weights <= 1 and max(tuned) > max(scratch)
    print("all targets met" if ok else "a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
