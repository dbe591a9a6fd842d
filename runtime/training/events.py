"""What a training run reports, in order; plain picklable dataclasses (they cross a process
pipe)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Started:
    """The run is set up: sizes, classes, device, and the fixed probe image (uint8 C×H×W)."""

    epochs: int
    steps_per_epoch: int
    batch_size: int
    train_size: int
    val_size: int
    classes: tuple[str, ...]
    device: str
    probe_image: np.ndarray
    start_epoch: int = 0
    processes: int = 1
    """Processes training together (torchrun); `batch_size` is each one's."""
    global_batch: int = 0
    """Samples per weight update: batch × processes × accumulation (0: the batch size)."""
    probe_input: np.ndarray | None = None
    """The probe image as the network sees it (normalised float32 C×H×W): after the run, a window
    shows any layer's feature maps from the final weights with it."""


@dataclass(frozen=True)
class StepMetrics:
    """Mean training loss/accuracy over the iterations since the last report."""

    step: int
    epoch: int
    loss: float
    accuracy: float
    lr: float
    samples_per_s: float
    elapsed_s: float
    rank_samples_per_s: tuple[float, ...] = ()
    """Each process's throughput in rank order when several train together (their sum is
    `samples_per_s`)."""


@dataclass(frozen=True)
class EpochMetrics:
    """End of an epoch: training and validation figures and the validation confusion matrix."""

    epoch: int
    step: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    lr: float
    confusion: np.ndarray
    best: bool = False
    miou: float | None = None
    """Segmentation: validation mean IoU (val_accuracy is then the pixel accuracy)."""
    class_iou: tuple[float, ...] = ()
    """Segmentation: validation IoU of each class (NaN for one neither present nor predicted)."""


@dataclass(frozen=True)
class FeatureMaps:
    """One layer's output for the probe image, as a single mosaic (0–255) of its channels."""

    step: int
    layer: str
    shape: tuple[int, ...]
    mosaic: np.ndarray


@dataclass(frozen=True)
class Filters:
    """The first convolution's kernels as one mosaic (H×W grey or H×W×3 colour)."""

    step: int
    layer: str
    mosaic: np.ndarray


@dataclass(frozen=True)
class Histograms:
    """Per layer with weights: (counts, edges) of the weights and of their last gradients."""

    step: int
    weights: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    grads: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentationSample:
    """A fixed validation image (uint8 C×H×W) with its true and predicted masks (uint8 h×w, the
    output's size; 255 marks ignored pixels), sent after each epoch."""

    step: int
    epoch: int
    image: np.ndarray
    truth: np.ndarray
    prediction: np.ndarray
    margin: tuple[int, int] = (0, 0)
    """Rows and columns of the image on each side that the output does not cover."""


@dataclass(frozen=True)
class RunWarning:
    """Something the person should know that does not stop the run."""

    message: str


@dataclass(frozen=True)
class HeadFix:
    """The output node that must give `classes` scores, one per class of the data (a window offers
    to set it)."""

    node_id: str
    node_name: str
    current: int | None
    classes: int


@dataclass(frozen=True)
class Finished:
    """The end: status is 'completed', 'stopped' or 'failed' (then `message` says why and what to
    try; `head_fix` is set when the failure is a head that does not match the data's class
    count)."""

    status: str
    message: str
    step: int
    epoch: int
    best_val_accuracy: float | None = None
    """The best validation figure, the one the `best` checkpoint keeps: accuracy, or mIoU when
    segmenting."""
    checkpoint: str | None = None
    head_fix: HeadFix | None = None


Event = (
    Started
    | StepMetrics
    | EpochMetrics
    | FeatureMaps
    | Filters
    | Histograms
    | SegmentationSample
    | RunWarning
    | Finished
)


@dataclass(frozen=True)
class LayerHealth:
    """One layer's figures; NaN where the figure does not apply (no weights, no ReLU, no bounded
    activation)."""

    grad_norm: float = math.nan
    update_ratio: float = math.nan
    dead_fraction: float = math.nan
    saturation: float = math.nan


@dataclass(frozen=True)
class Health:
    """Health of every layer at iteration `step` (a training event)."""

    step: int
    layers: dict[str, LayerHealth] = field(default_factory=dict)
