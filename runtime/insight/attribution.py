"""Attribution maps on Captum: Grad-CAM, Guided Grad-CAM, saliency, Integrated Gradients, occlusion.

Every method returns one map per image at input resolution, with what its values mean (for the
colour
bar): Grad-CAM-style maps are ≥ 0, the others are signed."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from runtime.insight.errors import InsightNodeError, InsightSettingError
from runtime.insight.extra import captum_attr
from runtime.insight.methods import METHODS, NEEDS_NODE
from runtime.insight.session import Session


@dataclass(frozen=True)
class AttributionMap:
    """One image's attribution (H, W) and the scale it is drawn on."""

    values: np.ndarray
    method: str
    node: str | None
    target: int
    signed: bool
    unit: str

    @property
    def limits(self) -> tuple[float, float]:
        """Colour-bar range: symmetric around 0 for signed maps, 0…max otherwise."""
        top = float(np.abs(self.values).max()) if self.values.size else 0.0
        top = top or 1.0
        return (-top, top) if self.signed else (0.0, top)


def conv_nodes(session: Session) -> list[str]:
    """Layers whose output is a feature map (C×H×W with more than one position): where Grad-CAM
    can look."""
    return [
        n
        for n in session.layer_names
        if len(shape := session.shapes.get(n, ())) == 3 and shape[1] * shape[2] > 1
    ]


def last_conv_node(session: Session) -> str:
    """The deepest layer with a spatial output (Grad-CAM's usual choice)."""
    found = conv_nodes(session)
    if not found:
        raise InsightNodeError(
            "the network has no layer with a spatial (C×H×W) output for Grad-CAM"
        )
    return found[-1]


def check_node(session: Session, node: str) -> None:
    """InsightNodeError unless `node` names a layer with a spatial output."""
    if node not in session.layer_names:
        raise InsightNodeError(f"no layer called '{node}' in the network")
    if node not in conv_nodes(session):
        raise InsightNodeError(
            f"'{node}' has no spatial (C×H×W) output; choose a convolutional node"
        )


def attribute(
    session: Session,
    pixels: torch.Tensor,
    method: str,
    target: int | None = None,
    node: str | None = None,
    ig_steps: int = 32,
    window: int | None = None,
) -> list[AttributionMap]:
    """Attribution maps for 0–1 images (N, C, H, W) toward `target` (default: each image's
    prediction)."""
    if method not in METHODS:
        raise InsightSettingError("method", f"'{method}' is not one of {', '.join(METHODS)}")
    attr = captum_attr()
    model = session.model
    x = pixels if pixels.ndim == 4 else pixels[None]
    x = x.detach().clone().float().requires_grad_(True)
    with torch.no_grad():
        predicted = model(x).argmax(1)
    targets = predicted if target is None else torch.full_like(predicted, int(target))
    if method in NEEDS_NODE:
        node = node or last_conv_node(session)
        check_node(session, node)
    else:
        node = None
    with torch.enable_grad(), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", module="captum"
        )  # notes on hooks it sets and removes itself
        raw = _run(attr, session, x, method, targets, node, ig_steps, window)
    signed = method in ("ig", "occlusion", "guided_gradcam")
    units = {
        "gradcam": "class evidence",
        "guided_gradcam": "Grad-CAM × guided gradient",
        "saliency": "|∂ score / ∂ pixel|",
        "ig": "contribution to the score",
        "occlusion": "score drop when covered",
    }
    return [
        AttributionMap(raw[i], method, node, int(targets[i]), signed, units[method])
        for i in range(len(x))
    ]


def _run(
    attr,
    session: Session,
    x: torch.Tensor,
    method: str,
    targets: torch.Tensor,
    node: str | None,
    ig_steps: int,
    window: int | None,
) -> np.ndarray:
    """(N, H, W) maps of one method."""
    model = session.model
    h, w = x.shape[-2:]
    if method == "gradcam":
        cam = attr.LayerGradCam(model, model.layer(node)).attribute(
            x, target=targets, relu_attributions=True
        )
        cam = F.interpolate(cam.float(), size=(h, w), mode="bilinear", align_corners=False)
        return cam[:, 0].detach().numpy()
    if method == "guided_gradcam":
        maps = attr.GuidedGradCam(model, model.layer(node)).attribute(x, target=targets)
        return maps.sum(1).detach().numpy()
    if method == "saliency":
        grads = attr.Saliency(model).attribute(x, target=targets, abs=True)
        return grads.amax(1).detach().numpy()
    if method == "ig":
        baseline = torch.zeros_like(x)
        maps = attr.IntegratedGradients(model).attribute(
            x, baselines=baseline, target=targets, n_steps=ig_steps, internal_batch_size=64
        )
        return maps.sum(1).detach().numpy()
    side = window or max(2, min(h, w) // 7)
    stride = max(1, side // 2)
    baseline = session.model.mean.expand_as(x[:1]).contiguous()
    maps = attr.Occlusion(model).attribute(
        x,
        sliding_window_shapes=(x.shape[1], side, side),
        strides=(x.shape[1], stride, stride),
        target=targets,
        baselines=baseline,
        perturbations_per_eval=64,
    )
    return maps.mean(1).detach().numpy()
