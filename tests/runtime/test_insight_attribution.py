"""Attribution on networks whose answer is known."""

import numpy as np
import pytest
import torch

from runtime.insight.attribution import METHODS, attribute, conv_nodes, last_conv_node
from runtime.insight.errors import InsightNodeError, InsightSettingError
from runtime.insight.predict import predict
from tests.runtime.insight_helpers import needs_captum, top_left_session

pytestmark = needs_captum


def _quadrant_means(values: np.ndarray) -> list[float]:
    h, w = values.shape
    return [
        float(np.abs(values[r : r + h // 2, c : c + w // 2]).mean())
        for r in (0, h // 2)
        for c in (0, w // 2)
    ]


def test_the_network_really_sees_only_the_top_left_quadrant():
    session = top_left_session()
    x, _ = session.val_pixels()
    changed = x.clone()
    changed[:, :, 8:, :] = torch.rand_like(changed[:, :, 8:, :])
    changed[:, :, :, 8:] = torch.rand_like(changed[:, :, :, 8:])
    assert torch.allclose(session.model(x), session.model(changed))


@pytest.mark.parametrize("method", ["gradcam", "saliency", "ig", "occlusion", "guided_gradcam"])
def test_attribution_highlights_the_top_left_quadrant(method):
    session = top_left_session()
    x, _ = session.val_pixels(4)
    maps = attribute(session, x, method, target=0, node="features")
    for amap in maps:
        top_left, *others = _quadrant_means(amap.values)
        assert amap.values.shape == (16, 16)
        assert top_left > 0
        assert top_left > 10 * max(others), (method, top_left, others)


def test_grad_cam_defaults_to_the_deepest_spatial_layer_and_names_it():
    session = top_left_session()
    assert conv_nodes(session) == ["shift_in", "shift_out", "features", "relu"]
    assert last_conv_node(session) == "relu"
    amap = attribute(session, session.val_pixels(1)[0], "gradcam")[0]
    assert amap.node == "relu" and not amap.signed and amap.limits[0] == 0


def test_bad_node_and_method_are_named():
    session = top_left_session()
    x = session.val_pixels(1)[0]
    with pytest.raises(InsightNodeError, match="'head' has no spatial"):
        attribute(session, x, "gradcam", node="head")
    with pytest.raises(InsightNodeError, match="no layer called 'nope'"):
        attribute(session, x, "gradcam", node="nope")
    with pytest.raises(InsightSettingError, match="method"):
        attribute(session, x, "lime")
    assert set(METHODS) == {"gradcam", "guided_gradcam", "saliency", "ig", "occlusion"}


def test_prediction_lists_classes_by_probability():
    session = top_left_session()
    result = predict(session, session.val_pixels(1)[0][0], k=5)
    assert [name for _, name, _ in result.top] == ["left", "right"]
    assert result.top[0][2] >= result.top[1][2]
    assert sum(p for *_, p in result.top) == pytest.approx(1.0)
