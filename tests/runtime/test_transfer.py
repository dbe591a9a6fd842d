"""Transfer learning: frozen nodes, replacing the head, the fine-tune recipe."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from runtime.analysis import analyze
from runtime.compile import build_model
from runtime.errors import GraphError
from runtime.training import EpochMetrics, train
from runtime.training.finetune import FineTune
from runtime.training.recipe import Schedule, make_optimizer
from runtime.training.settings import parse_training
from runtime.transfer import head_node, replace_head, set_frozen
from runtime.weights.project_weights import load_weights_into, network_shapes
from runtime.zoo import TEMPLATES
from tests.runtime.training_helpers import tiny_project


def test_frozen_node_does_not_train_and_its_batchnorm_stays_in_eval() -> None:
    project = TEMPLATES["resnet18"].build()
    project.input_shape = (3, 32, 32)
    set_frozen(project, [project.graph.by_name(n).id for n in ("conv1", "bn1", "layer1_0")], True)
    model = build_model(project).train()
    assert not any(p.requires_grad for p in model.conv1.parameters())
    assert not any(p.requires_grad for p in model.layer1_0.parameters())
    assert all(p.requires_grad for p in model.layer2_0.parameters())
    assert (
        not model.bn1.training and not model.layer1_0.bn1.training and model.layer2_0.bn1.training
    )
    before = model.bn1.running_mean.clone()
    model(torch.randn(4, 3, 32, 32)).sum().backward()
    assert torch.equal(before, model.bn1.running_mean) and model.conv1.weight.grad is None
    analysis = analyze(project)
    frozen = sum(
        p.numel() for n in ("conv1", "bn1", "layer1_0") for p in getattr(model, n).parameters()
    )
    assert analysis.params_frozen == frozen and analysis.params == analysis.params_total - frozen


def test_replace_head_sets_classes_and_reinitialises_only_the_head(tmp_path: Path) -> None:
    project = TEMPLATES["resnet18"].build()
    project.input_shape = (3, 32, 32)
    path = project.save(tmp_path / "r18.json")
    shapes = network_shapes(project)
    torch.manual_seed(0)
    weights = {
        k: torch.randn(s) for k, s in shapes.items() if not k.endswith("num_batches_tracked")
    }
    save_file(weights, str(tmp_path / "w.safetensors"))
    load_weights_into(project, tmp_path / "w.safetensors", path)
    project.save()
    for classes in (1000, 5):  # the same number of classes still starts the head afresh
        replace_head(project, classes)
        model = build_model(project)
        assert model.fc.out_features == classes
        assert torch.equal(model.layer4_1.conv2.weight, weights["layer4_1.conv2.weight"])
        assert not torch.equal(model.fc.weight[:5], weights["fc.weight"][:5])


def test_head_of_an_imported_graph_is_the_last_linear() -> None:
    project = tiny_project()
    assert head_node(project.graph).name == "head"
    project.graph.set_params(project.graph.by_name("head").id, {"num_classes": 0})
    with pytest.raises(GraphError):
        replace_head(project, 3)


def test_fine_tune_trains_the_head_alone_then_everything_at_a_lower_rate() -> None:
    project = tiny_project()
    settings = parse_training(project.training, head_epochs=2, finetune_lr_factor=0.1)
    model = build_model(project)
    schedule = Schedule(make_optimizer(list(model.parameters()), settings), settings, 10)
    recipe = FineTune(model, project, schedule, settings.head_epochs, settings.finetune_lr_factor)
    recipe.before_epoch(0)
    assert not model.conv1.weight.requires_grad and model.head.fc.weight.requires_grad
    recipe.before_epoch(1)
    assert schedule.lr == pytest.approx(0.01)
    recipe.before_epoch(2)
    assert model.conv1.weight.requires_grad and schedule.lr == pytest.approx(0.001)


def test_fine_tune_recipe_is_a_training_setting() -> None:
    events = list(train(tiny_project(epochs=3, head_epochs=1, finetune_lr_factor=0.5)))
    lrs = [e.lr for e in events if isinstance(e, EpochMetrics)]
    assert lrs == pytest.approx([0.01, 0.005, 0.005])
