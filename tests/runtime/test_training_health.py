"""Layer health statistics, checked against values computed by hand on a small model."""

import math

import pytest
import torch
from torch import nn

from runtime.insight.health_watch import HealthWatch, shade_levels
from runtime.training.health import Health, HealthProbe, LayerHealth
from runtime.training.loop import train
from tests.runtime.training_helpers import tiny_project


class Small(nn.Module):
    """fc (4→3) → ReLU, then tanh block (3→2 with Tanh inside)."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.squash = nn.Sequential(nn.Linear(3, 2), nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.squash(self.act(self.fc(x)))


def test_statistics_match_hand_computed_values():
    torch.manual_seed(0)
    model = Small()
    with torch.no_grad():
        model.squash[0].weight.mul_(20)  # push tanh towards its bounds
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    probe = HealthProbe(model, ["fc", "act", "squash"], optimizer)
    x, y = torch.randn(32, 4), torch.randn(32, 2)
    probe.arm()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    grad_fc = model.fc.weight.grad.clone()
    grad_sq = model.squash[0].weight.grad.clone()
    w_fc, w_sq = model.fc.weight.detach().clone(), model.squash[0].weight.detach().clone()
    optimizer.step()
    health = probe.take(7, model, x)
    assert health.step == 7
    fc, act, squash = health.layers["fc"], health.layers["act"], health.layers["squash"]
    assert fc.grad_norm == pytest.approx(float(grad_fc.norm()), rel=1e-5)
    assert squash.grad_norm == pytest.approx(float(grad_sq.norm()), rel=1e-5)
    # SGD moves each weight by lr × gradient
    assert fc.update_ratio == pytest.approx(
        0.1 * float(grad_fc.norm()) / float(w_fc.norm()), rel=1e-4
    )
    assert squash.update_ratio == pytest.approx(
        0.1 * float(grad_sq.norm()) / float(w_sq.norm()), rel=1e-4
    )
    with torch.no_grad():
        hidden = torch.relu(model.fc(x))
        out = model.squash(hidden)
    assert act.dead_fraction == pytest.approx(float((hidden == 0).float().mean()))
    assert squash.saturation == pytest.approx(float((out.abs() >= 1 - 0.04).float().mean()))
    assert math.isnan(act.grad_norm) and math.isnan(fc.dead_fraction) and math.isnan(act.saturation)
    assert probe.take(8, model, x) is None  # one reading per arming


def test_the_training_loop_reports_health():
    events = [e for e in train(tiny_project(epochs=6)) if isinstance(e, Health)]
    assert events
    last = events[-1]
    assert set(last.layers) >= {"conv1", "relu1", "head"}
    assert last.layers["conv1"].grad_norm > 0 and 0 < last.layers["conv1"].update_ratio < 1
    assert 0 <= last.layers["relu1"].dead_fraction <= 1


def test_watch_names_a_dead_layer_and_since_when():
    watch = HealthWatch()
    healthy, dead = LayerHealth(dead_fraction=0.2), LayerHealth(dead_fraction=0.92)
    assert not watch.update(Health(100, {"conv3": healthy}))
    assert watch.update(Health(400, {"conv3": dead}))
    watch.update(Health(500, {"conv3": dead}))
    assert [i.message for i in watch.issues] == [
        "conv3: 92% of ReLU outputs are zero since iteration 400"
    ]
    assert watch.update(Health(600, {"conv3": healthy})) and not watch.issues


def test_watch_flags_exploding_updates_and_gradients():
    watch = HealthWatch()
    watch.update(
        Health(
            10,
            {
                "fc": LayerHealth(grad_norm=2.0, update_ratio=0.5),
                "conv": LayerHealth(grad_norm=float("inf"), update_ratio=0.001),
            },
        )
    )
    kinds = {i.layer: i.kind for i in watch.issues}
    assert kinds == {"fc": "exploding", "conv": "exploding"}
    assert shade_levels({"a": 1e-4, "b": 1e-2, "c": 1.0}, "grad_norm") == {
        "a": 0.0,
        "b": 0.5,
        "c": 1.0,
    }
    assert shade_levels({"a": 0.3}, "dead_fraction") == {"a": 0.3}
