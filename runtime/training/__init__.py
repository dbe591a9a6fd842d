"""Training: settings, the event-yielding loop, checkpoints (runtime.codegen.trained exports).

Names load on first use, so that the window's panels can import events and settings without torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blocks.lazy import lazy_exports

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

__getattr__ = lazy_exports(
    __name__,
    {
        "FIELDS": "runtime.training.settings",
        "CheckpointError": "runtime.training.checkpoint",
        "Control": "runtime.training.control",
        "EpochMetrics": "runtime.training.events",
        "Event": "runtime.training.events",
        "FeatureMaps": "runtime.training.events",
        "Filters": "runtime.training.events",
        "Finished": "runtime.training.events",
        "HeadFix": "runtime.training.events",
        "HeadMismatchError": "runtime.training.fit_checks",
        "Histograms": "runtime.training.events",
        "ModelTooLargeError": "runtime.training.fit_checks",
        "OutputFolderError": "runtime.training.out_folder",
        "ResumeError": "runtime.training.loop",
        "SettingsError": "runtime.training.settings",
        "Started": "runtime.training.events",
        "StepMetrics": "runtime.training.events",
        "TrainingSettings": "runtime.training.settings",
        "RunWarning": "runtime.training.events",
        "parse_training": "runtime.training.settings",
        "read_checkpoint": "runtime.training.checkpoint",
        "train": "runtime.training.loop",
    },
)

if TYPE_CHECKING:
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
        RunWarning,
        Started,
        StepMetrics,
    )
    from runtime.training.fit_checks import HeadMismatchError, ModelTooLargeError
    from runtime.training.loop import ResumeError, train
    from runtime.training.out_folder import OutputFolderError
    from runtime.training.settings import FIELDS, SettingsError, TrainingSettings, parse_training
