"""Pretrained weights: read weight files safely, match their keys to a project, keep them with
it."""

from runtime.weights.files import WeightsFileError, read_state_dict, write_safetensors
from runtime.weights.match import MatchReport, match_state_dict

__all__ = [
    "MatchReport",
    "WeightsFileError",
    "match_state_dict",
    "read_state_dict",
    "write_safetensors",
]
