"""Bad `training` and `data` sections of a project, fed to `train`."""

from __future__ import annotations

from typing import Any


def training_settings() -> dict[str, dict[str, Any]]:
    """Bad `training` sections: wrong type, out of range and huge values for every setting."""
    from runtime.training.settings import FIELDS

    cases: dict[str, dict[str, Any]] = {"unknown_key": {"learning_rate": 0.1}}
    for spec in FIELDS:
        cases[f"{spec.name}_object"] = {spec.name: {"value": 1}}
        if spec.kind in ("int", "float"):
            cases[f"{spec.name}_string"] = {spec.name: "3"}
            cases[f"{spec.name}_below"] = {spec.name: (spec.minimum or 0) - 1}
            cases[f"{spec.name}_above"] = {spec.name: spec.maximum * 10 + 1}
            cases[f"{spec.name}_huge"] = {spec.name: 2**62}
        elif spec.kind == "choice":
            cases[f"{spec.name}_unknown"] = {spec.name: "warp"}
        else:
            cases[f"{spec.name}_int"] = {spec.name: 1}
    return cases


def data_settings() -> dict[str, dict[str, Any]]:
    """Bad `data` sections."""
    return {
        "source_unknown": {"source": "imagenet"},
        "source_int": {"source": 3},
        "split_seed_negative": {"source": "digits", "split_seed": -1},
        "split_seed_huge": {"source": "digits", "split_seed": 2**62},
        "split_seed_float": {"source": "digits", "split_seed": 0.5},
        "validation_zero": {"source": "digits", "validation": 0},
        "validation_negative": {"source": "digits", "validation": -0.2},
        "validation_huge": {"source": "digits", "validation": 2**62},
        "validation_too_many": {"source": "digits", "validation": 5000},
        "validation_fraction_one": {"source": "digits", "validation": 1.5},
        "validation_string": {"source": "digits", "validation": "20%"},
        "augment_list": {"source": "digits", "augment": [1]},
        "augment_pad_huge": {"source": "digits", "augment": {"crop_padding": 2**62}},
        "augment_flip_string": {"source": "digits", "augment": {"flip": "yes"}},
        "shapes_count_huge": {"source": "shapes", "shapes_count": 2**62},
        "folder_missing": {"source": "folder", "path": "no/such/folder"},
        "folder_is_file": {"source": "folder", "path": "p.json"},
        "folder_path_int": {"source": "folder", "path": 5},
        "idx_missing": {"source": "idx", "images": "none.idx", "labels": "none.idx"},
        "cifar_missing": {"source": "cifar10", "path": "nothing.bin"},
        "cifar_dev_zero": {"source": "cifar10", "path": "/dev/zero"},
        "wrong_input_size": {"source": "mnist"},
        "one_class_folder": {"source": "folder", "path": "one_class"},
    }
