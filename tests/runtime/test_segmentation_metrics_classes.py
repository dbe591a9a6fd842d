"""Predicted classes from segmentation logits: the argmax rule, whatever the memory layout."""

from __future__ import annotations

import torch

from runtime.segmentation.metrics import predicted_classes


def test_predicted_classes_equal_argmax_in_both_layouts_and_on_ties():
    logits = torch.randn(3, 5, 9, 7, generator=torch.Generator().manual_seed(0))
    expected = logits.argmax(1)
    assert torch.equal(predicted_classes(logits), expected)
    last = logits.contiguous(memory_format=torch.channels_last)
    assert torch.equal(predicted_classes(last), expected)
    tied = torch.zeros(1, 4, 2, 2)
    tied[0, 1:3] = 1.0  # classes 1 and 2 tie: the first maximum wins, as with argmax
    assert predicted_classes(tied).unique().tolist() == [1]
