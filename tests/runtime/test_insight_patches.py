"""What a channel looks for: top patches and receptive fields, at the borders too."""

import numpy as np
import pytest
import torch

from runtime.graph import Graph
from runtime.insight.errors import InsightNodeError
from runtime.insight.patches import receptive_field, top_patches
from runtime.project import Project
from tests.runtime.insight_helpers import session_for


def _corner_session():
    """Two 5×5 convolutions (padding 2) on 12×12 images whose one bright pixel sits at a corner or
    edge."""
    g = Graph()
    previous = g.add_node("input", name="image")
    for block, params, name in (
        ("conv2d", {"out_channels": 2, "kernel_size": 5, "padding": 2}, "conv1"),
        ("conv2d", {"out_channels": 2, "kernel_size": 5, "padding": 2}, "conv2"),
        ("output", {"num_classes": 2}, "head"),
    ):
        node = g.add_node(block, params, name=name)
        g.connect(previous.id, node.id)
        previous = node
    project = Project(g, (1, 12, 12), "corners")
    spots = [(0, 0), (0, 11), (11, 0), (11, 11), (0, 5), (5, 0), (11, 6), (6, 11), (5, 5), (3, 8)]
    images = np.zeros((len(spots), 1, 12, 12), np.uint8)
    for i, (r, c) in enumerate(spots):
        images[i, 0, r, c] = 255
    session = session_for(project, images, np.arange(len(spots)) % 2, ("a", "b"))
    with torch.no_grad():
        for conv in (session.model.net.conv1, session.model.net.conv2):
            conv.weight.fill_(0.1)
            conv.bias.zero_()
    return session, spots


def test_receptive_field_grows_with_depth_and_is_clipped_at_the_border():
    session, _ = _corner_session()
    assert receptive_field(session, "conv1", 6, 6).box == (4, 4, 9, 9)
    assert receptive_field(session, "conv2", 6, 6).box == (2, 2, 11, 11)
    corner = receptive_field(session, "conv2", 0, 0)
    assert corner.box == (0, 0, 5, 5)
    assert corner.strength.shape == (12, 12) and corner.strength.max() == pytest.approx(1.0)
    assert receptive_field(session, "conv2", 11, 11).box == (7, 7, 12, 12)


def test_top_patches_stay_inside_the_image_at_the_borders():
    session, spots = _corner_session()
    patches = top_patches(session, "conv2", 0, count=9)
    assert len(patches) == 9 and len({p.index for p in patches}) == 9
    for patch in patches:
        top, left, bottom, right = patch.box
        assert 0 <= top < bottom <= 12 and 0 <= left < right <= 12
        assert patch.pixels.shape == (1, bottom - top, right - left)
        r, c = spots[patch.index]
        assert top <= r < bottom and left <= c < right  # the bright pixel lies in its own patch
    assert [p.activation for p in patches] == sorted((p.activation for p in patches), reverse=True)
    # the border images touch the border: their boxes are clipped, not shifted or padded
    assert any(p.box[0] == 0 or p.box[1] == 0 or p.box[2] == 12 or p.box[3] == 12 for p in patches)


def test_bad_layer_channel_and_position_are_named():
    session, _ = _corner_session()
    with pytest.raises(InsightNodeError, match="no channel 7"):
        top_patches(session, "conv2", 7)
    with pytest.raises(InsightNodeError, match="'head' has no spatial"):
        top_patches(session, "head", 0)
    with pytest.raises(InsightNodeError, match=r"\(12, 0\) lies outside"):
        receptive_field(session, "conv1", 12, 0)
