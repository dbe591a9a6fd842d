"""Training: settings, the event-yielding loop, checkpoints (runtime.codegen.trained exports)."""
from runtime.training.checkpoint import read_checkpoint
from runtime.training.control import Control
from runtime.training.events import (EpochMetrics, Event, FeatureMaps, Filters, Finished, Histograms, Started,
                                     RunWarning, StepMetrics)
from runtime.training.loop import train
from runtime.training.settings import FIELDS, SettingsError, TrainingSettings, parse_training

__all__ = ["Control", "EpochMetrics", "Event", "FIELDS", "FeatureMaps", "Filters", "Finished", "Histograms",
           "SettingsError", "Started", "RunWarning", "StepMetrics", "TrainingSettings",
           "parse_training", "read_checkpoint", "train"]
