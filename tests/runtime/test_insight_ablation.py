"""Ablation without retraining: bypassing nodes, zeroing channels, the table over all layers."""

import numpy as np
import pytest
import torch

from runtime.analysis import analyze
from runtime.bypass import BYPASS_KEY
from runtime.compile import build_model
from runtime.insight.bypass_edit import SetBypass, toggled
from runtime.insight.ablation import ablation_table, bypassed, zero_channels, zeroed
from tests.runtime.insight_helpers import session_for
from tests.runtime.training_helpers import tiny_project


def _session():
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, (50, 1, 8, 8), dtype=np.uint8)
    return session_for(
        tiny_project(), images, rng.integers(0, 10, 50), tuple(str(i) for i in range(10))
    )


def test_bypass_then_undo_restores_identical_outputs():
    project = tiny_project()
    relu = project.graph.by_name("relu1")
    x = torch.randn(5, 1, 8, 8)
    before = build_model(project, 0)(x)
    edit = SetBypass(relu.id, True)
    edit.apply(project)
    assert project.graph.nodes[relu.id].extra == {BYPASS_KEY: True}
    assert not analyze(project).problems
    changed = build_model(project, 0)(x)
    assert not torch.equal(before, changed)
    assert isinstance(build_model(project, 0).relu1, torch.nn.Identity)
    edit.revert(project)
    assert BYPASS_KEY not in project.graph.nodes[relu.id].extra
    assert torch.equal(build_model(project, 0)(x), before)
    edit.apply(project)  # redo gives the bypassed network again
    assert torch.equal(build_model(project, 0)(x), changed)
    assert toggled(project, relu.id).bypassed is False


def test_a_node_whose_shape_changes_cannot_be_bypassed():
    project = tiny_project()
    conv = project.graph.by_name("conv1")
    project.graph.set_extra(conv.id, BYPASS_KEY, True)
    problems = analyze(project).problems
    assert len(problems) == 1 and problems[0].node_id == conv.id
    assert "cannot be bypassed" in problems[0].message and "1×8×8 into 4×8×8" in problems[0].message


def test_table_matches_ablations_done_by_hand():
    session = _session()
    table = ablation_table(session, limit=None, zero=2)
    x, y = session.val_pixels()

    def accuracy() -> float:
        return float((session.model(x).argmax(1) == y).float().mean())

    with torch.no_grad():
        assert table.baseline == pytest.approx(accuracy())
        rows = {r.layer: r for r in table.rows}
        assert set(rows) == {"conv1", "relu1"}  # the head is not ablated
        assert (
            rows["conv1"].bypass_accuracy is None
            and "shape changes 1×8×8 → 4×8×8" in rows["conv1"].bypass_note
        )
        with bypassed(session, "relu1"):
            assert rows["relu1"].bypass_accuracy == pytest.approx(accuracy())
        conv_out = session.model.net.layer_outputs(x, {"conv1"})["conv1"]
        order = conv_out.abs().mean(dim=(0, 2, 3)).argsort(descending=True)[:2].tolist()
        with zeroed(session, "conv1", order):
            assert rows["conv1"].zero_accuracy == pytest.approx(accuracy())
            assert rows["conv1"].zeroed == 2 and rows["conv1"].channels == 4
    assert table.to_dict()["layers"][0]["zero_drop"] == pytest.approx(
        table.baseline - rows["conv1"].zero_accuracy
    )


def test_zeroing_touches_only_the_chosen_channels():
    out = torch.ones(2, 4, 3, 3)
    zero = zero_channels(out, [1, 3])
    assert zero[:, [1, 3]].abs().sum() == 0 and zero[:, [0, 2]].eq(1).all() and out.eq(1).all()
