"""Insight views in the window: prediction and attribution, mistakes, adversarial examples,
ablation,
what a channel looks for, receptive fields, and live layer health on the canvas."""

from studio.insight.install import install

__all__ = ["install"]
