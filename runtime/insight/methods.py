"""The attribution methods and attacks by id, with their titles (no torch: menus list them before
torch has loaded)."""

from __future__ import annotations

METHODS = ("gradcam", "guided_gradcam", "saliency", "ig", "occlusion")
"""Method ids, in menu order."""
TITLES = {
    "gradcam": "Grad-CAM",
    "guided_gradcam": "Guided Grad-CAM",
    "saliency": "Saliency",
    "ig": "Integrated Gradients",
    "occlusion": "Occlusion sensitivity",
}
NEEDS_NODE = ("gradcam", "guided_gradcam")
"""Methods that look at one convolutional node."""
ATTACKS = ("fgsm", "pgd")
"""Adversarial attack ids, in menu order."""
