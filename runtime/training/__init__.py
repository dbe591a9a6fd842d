"""Training: settings, the event-yielding loop, checkpoints (runtime.codegen.trained exports)."""

from runtime.training.checkpoint import CheckpointError, read_checkpoint
from runtime.training.control import Control
from runtime.training.events import (
    EpochMetrics,
    Event,
    FeatureMaps,
    Filters,
    Finished,
    HeadFix,
    Histograms,
    Started,
    StepMetrics,
    RunWarning,
)
from runtime.training.fit_checks import HeadMismatchError, ModelTooLargeError
from runtime.training.loop import ResumeError, train
from runtime.training.out_folder import OutputFolderError
from runtime.training.settings import FIELDS, SettingsError, TrainingSettings, parse_training

__all__ = [
    "FIELDS",
    "CheckpointError",
    "Control",
    "EpochMetrics",
    "Event",
    "FeatureMaps",
    "Filters",
    "Finished",
    "HeadFix",
    "HeadMismatchError",
    "Histograms",
    "ModelTooLargeError",
    "OutputFolderError",
    "ResumeError",
    "SettingsError",
    "Started",
    "StepMetrics",
    "TrainingSettings",
    "RunWarning",
    "parse_training",
    "read_checkpoint",
    "train",
]
