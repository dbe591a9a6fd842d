"""Small networks with known answers for the insight tests."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from runtime.analysis import analyze
from runtime.compile import build_model
from runtime.data import ImageSet
from runtime.graph import Graph
from runtime.insight.session import Session, make_session
from runtime.project import Project

needs_captum = pytest.mark.skipif(
    __import__("importlib").util.find_spec("captum") is None,
    reason="Captum (the 'insight' extra) is not installed",
)


def _chain(graph: Graph, specs: list[tuple[str, dict, str]]) -> None:
    previous = None
    for block, params, name in specs:
        node = graph.add_node(block, params, name=name)
        if previous is not None:
            graph.connect(previous.id, node.id)
        previous = node


def top_left_project(side: int = 16) -> Project:
    """A network that sees only the top-left quadrant: two fixed shifts move the quadrant out of the
    padding and back (everything else falls off the border), then a convolution and a head."""
    g = Graph()
    k = side + 1
    _chain(
        g,
        [
            ("input", {}, "image"),
            (
                "conv2d",
                {"out_channels": 1, "kernel_size": k, "padding": side // 2, "bias": False},
                "shift_in",
            ),
            (
                "conv2d",
                {"out_channels": 1, "kernel_size": k, "padding": side // 2, "bias": False},
                "shift_out",
            ),
            (
                "conv2d",
                {"out_channels": 3, "kernel_size": 3, "padding": 1, "bias": False},
                "features",
            ),
            ("relu", {}, "relu"),
            ("output", {"num_classes": 2}, "head"),
        ],
    )
    return Project(g, (1, side, side), "Top-left only")


def session_for(
    project: Project,
    images: np.ndarray,
    labels: np.ndarray,
    classes: tuple[str, ...],
    seed: int = 0,
) -> Session:
    """A session on `project`'s seeded network with these validation images (mean 0, std 1: no
    scaling)."""
    analysis = analyze(project)
    net = build_model(project, seed, analysis)
    val = ImageSet(images, labels, classes, "test images")
    shapes = {f.name: tuple(f.out_shape) for f in analysis.nodes.values()}
    channels = images.shape[1]
    return make_session(
        project, net, val, np.zeros(channels, np.float32), np.ones(channels, np.float32), shapes
    )


def top_left_session(side: int = 16) -> Session:
    """The top-left network with weights set so; noise images everywhere."""
    project = top_left_project(side)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (8, 1, side, side), dtype=np.uint8)
    session = session_for(project, images, np.zeros(8, np.int64), ("left", "right"))
    net = session.model.net
    with torch.no_grad():
        net.shift_in.weight.zero_()
        net.shift_in.weight[0, 0, 0, 0] = 1.0  # out(i, j) = x(i - side/2, j - side/2)
        net.shift_out.weight.zero_()
        net.shift_out.weight[0, 0, side, side] = 1.0  # out(i, j) = y(i + side/2, j + side/2)
        net.features.weight.fill_(0.1)
        head = net.head
        for p in head.parameters():
            p.fill_(0.0)
        linear = [m for m in head.modules() if isinstance(m, torch.nn.Linear)][0]
        linear.weight[0].fill_(1.0)
        linear.weight[1].fill_(-1.0)
    return session
