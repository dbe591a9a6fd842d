"""Semantic segmentation: image–mask data (folders, the VOC layout, a generated demo), joint
augmentation, the output-size rule, per-pixel losses and confusion-matrix metrics."""

IGNORE = 255
"""A mask value that marks pixels no loss or metric counts."""
