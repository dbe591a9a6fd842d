"""Small graphs and definitions for the user block tests (runtime and window)."""

from __future__ import annotations

from typing import Iterator

import pytest
import torch

from runtime.graph import Graph
from runtime.project import Project
from runtime.userblocks import installed


def double_conv_graph() -> tuple[Graph, list[str]]:
    """Input → conv1 → bn1 → relu1 → conv2 → Output; the ids of the four inner layers."""
    graph = Graph()
    ids = [graph.add_node("input").id]
    for block, name, params in (
        ("conv2d", "conv1", {"out_channels": 16, "kernel_size": 3, "padding": 1}),
        ("batch_norm", "bn1", {}),
        ("relu", "relu1", {}),
        ("conv2d", "conv2", {"out_channels": 16, "kernel_size": 3, "padding": 1}),
    ):
        ids.append(graph.add_node(block, params, name=name).id)
    ids.append(graph.add_node("output", {"num_classes": 10}).id)
    for src, dst in zip(ids, ids[1:]):
        graph.connect(src, dst)
    return graph, ids[1:-1]


WIDTH = [("width", [("conv1", "out_channels"), ("conv2", "out_channels")])]
"""The exposed width of the double-conv block."""


def project_using(block_id: str, *param_sets: dict, shape=(3, 16, 16)) -> Project:
    """Input → one node of `block_id` per parameter set, in a chain → Output."""
    graph = Graph()
    previous = graph.add_node("input").id
    for params in param_sets:
        node = graph.add_node(block_id, params)
        graph.connect(previous, node.id)
        previous = node.id
    graph.connect(previous, graph.add_node("output", {"num_classes": 10}).id)
    return Project(graph, shape)


def randomize(model: torch.nn.Module) -> None:
    """Random weights and BatchNorm statistics (eval-mode BN is then far from the identity)."""
    gen = torch.Generator().manual_seed(1)
    state = model.state_dict()
    for key, value in state.items():
        if value.is_floating_point():
            state[key] = torch.randn(value.shape, generator=gen) * 0.3
            if key.endswith("running_var"):
                state[key] = state[key].abs() + 0.5
    model.load_state_dict(state)


@pytest.fixture
def forget_user_blocks() -> Iterator[None]:
    """Uninstall every user block a test installed (the catalogue is process-wide)."""
    before = set(installed.installed_ids())
    yield
    for block_id in reversed(installed.installed_ids()):
        if block_id not in before:
            installed.uninstall(block_id)
