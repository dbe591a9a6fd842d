"""Classifier head: flatten a feature map and map it to class scores."""

import torch
from torch import nn


class ClassifierHead(nn.Module):
    """Flatten then a fully connected layer to `num_classes` scores."""

    def __init__(self, in_features: int, num_classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(in_features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Global average pool, flatten, optional dropout, then the linear classifier."""
        return self.fc(torch.flatten(x, 1))
