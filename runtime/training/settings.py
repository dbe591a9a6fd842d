"""The project's `training` section: every field with its type, bounds, default and help;
validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Callable

from blocks.errors import ParamValueError
from blocks.params import ParamSpec
from runtime.errors import ConvStudioError


class SettingsError(ConvStudioError):
    """A training setting that is not accepted; `key` names it."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"training setting '{key}': {message}")


def Field(
    name: str,
    kind: str,
    default: Any,
    help: str,
    choices: tuple[str, ...] = (),  # noqa: N802
    minimum: float | None = None,
    maximum: float | None = None,
) -> ParamSpec:
    """One training setting: a ParamSpec, written in the argument order of the table below."""
    return ParamSpec(name, kind, default, help, minimum, maximum, tuple(choices))


OPTIMIZERS = (
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "adadelta",
    "rmsprop",
    "adam",
    "adamw",
    "adamax",
    "nadam",
    "amsgrad",
)
SCHEDULES = ("constant", "step", "cosine", "one_cycle", "plateau")
FIELDS: tuple[ParamSpec, ...] = (
    Field(
        "optimizer", "choice", "nesterov", "How the weights move along the gradient.", OPTIMIZERS
    ),
    Field("lr", "float", 0.05, "Learning rate (the peak rate for one-cycle).", (), 1e-7, 10.0),
    Field(
        "momentum", "float", 0.9, "Momentum for SGD-momentum, Nesterov and RMSprop.", (), 0.0, 0.999
    ),
    Field(
        "weight_decay",
        "float",
        0.0,
        "L2 penalty on the weights (decoupled for AdamW).",
        (),
        0.0,
        1.0,
    ),
    Field("batch_size", "int", 32, "Samples per iteration.", (), 1, 65536),
    Field("epochs", "int", 25, "Passes over the training set.", (), 1, 100000),
    Field(
        "schedule",
        "choice",
        "one_cycle",
        "How the learning rate changes during training.",
        SCHEDULES,
    ),
    Field("step_epochs", "int", 10, "Step schedule: epochs between reductions.", (), 1, 100000),
    Field(
        "gamma",
        "float",
        0.1,
        "Step and plateau schedules: factor the rate is multiplied by.",
        (),
        1e-4,
        1.0,
    ),
    Field(
        "loss",
        "choice",
        "cross_entropy",
        "Loss: hinge and focal classify images; dice and cross_entropy_dice (their sum) score "
        "segmentation masks.",
        ("cross_entropy", "hinge", "focal", "dice", "cross_entropy_dice"),
    ),
    Field(
        "class_weights",
        "text",
        "",
        "Segmentation cross-entropy: one weight per class, separated by commas (empty: equal).",
        (),
        None,
        4096,
    ),
    Field(
        "label_smoothing",
        "float",
        0.1,
        "Cross-entropy: probability spread over the other classes.",
        (),
        0.0,
        0.99,
    ),
    Field(
        "focal_gamma",
        "float",
        2.0,
        "Focal loss: how strongly easy examples are down-weighted.",
        (),
        0.0,
        10.0,
    ),
    Field(
        "init",
        "choice",
        "default",
        "Initial weights of convolutions and linear layers.",
        ("default", "gaussian", "xavier", "kaiming"),
    ),
    Field(
        "init_std", "float", 0.01, "Gaussian initialisation: standard deviation σ.", (), 1e-6, 10.0
    ),
    Field(
        "seed",
        "int",
        0,
        "Seed for the initial weights, shuffling and augmentation.",
        (),
        0,
        2**31 - 1,
    ),
    Field(
        "device",
        "choice",
        "auto",
        "Where to train (auto uses CUDA when present).",
        ("auto", "cpu", "cuda"),
    ),
    Field("precision", "choice", "fp32", "Mixed precision on CUDA.", ("fp32", "bf16", "fp16")),
    Field(
        "channels_last",
        "bool",
        False,
        "Store activations channels-last (faster convolutions on GPUs).",
    ),
    Field(
        "compile", "bool", False, "Compile the model with torch.compile (slow start, faster steps)."
    ),
    Field(
        "threads",
        "int",
        0,
        "CPU threads for training (0: PyTorch's default, all cores).",
        (),
        0,
        1024,
    ),
    Field(
        "accumulate",
        "int",
        1,
        "Iterations whose gradients add up before each update (gradient accumulation).",
        (),
        1,
        1024,
    ),
    Field(
        "all_gpus",
        "bool",
        False,
        "Train on every GPU of this machine, one process each under torchrun (two or more GPUs).",
    ),
    Field(
        "sync_batchnorm",
        "bool",
        False,
        "Distributed on GPUs: batch normalisation statistics over every process's batch.",
    ),
    Field(
        "scale_lr",
        "bool",
        False,
        "Linear scaling rule: multiply the learning rate by processes × accumulation.",
    ),
    Field("log_every", "int", 10, "Read metrics from the device every N iterations.", (), 1, 10000),
    Field(
        "probe_seconds",
        "float",
        0.5,
        "Seconds between feature-map and filter snapshots (longer when they would take more "
        "than 5 % of the training time).",
        (),
        0.05,
        3600.0,
    ),
    Field(
        "head_epochs",
        "int",
        0,
        "Fine-tune: epochs training the classifier head alone before every layer trains (0: off).",
        (),
        0,
        100000,
    ),
    Field(
        "finetune_lr_factor",
        "float",
        0.1,
        "Fine-tune: learning rate multiplier once every layer trains.",
        (),
        1e-4,
        1.0,
    ),
)
_BY_NAME = {f.name: f for f in FIELDS}

APPLIES: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "momentum": lambda s: s["optimizer"] in ("momentum", "nesterov", "rmsprop"),
    "step_epochs": lambda s: s["schedule"] == "step",
    "gamma": lambda s: s["schedule"] in ("step", "plateau"),
    "label_smoothing": lambda s: s["loss"] == "cross_entropy",
    "focal_gamma": lambda s: s["loss"] == "focal",
    "init_std": lambda s: s["init"] == "gaussian",
    "finetune_lr_factor": lambda s: int(s["head_epochs"]) > 0,
}
"""Settings that only matter for some values of others (the rest always apply)."""


def applies(name: str, values: Mapping[str, Any]) -> bool:
    """Whether setting `name` has any effect given the other `values` (defaults fill the gaps)."""
    rule = APPLIES.get(name)
    if rule is None:
        return True
    return rule({f.name: values.get(f.name, f.default) for f in FIELDS})


@dataclass(frozen=True)
class TrainingSettings:
    """A validated training section (names and defaults as in FIELDS)."""

    optimizer: str = "nesterov"
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 0.0
    batch_size: int = 32
    epochs: int = 25
    schedule: str = "one_cycle"
    step_epochs: int = 10
    gamma: float = 0.1
    loss: str = "cross_entropy"
    class_weights: str = ""
    label_smoothing: float = 0.1
    focal_gamma: float = 2.0
    init: str = "default"
    init_std: float = 0.01
    seed: int = 0
    device: str = "auto"
    precision: str = "fp32"
    channels_last: bool = False
    compile: bool = False
    threads: int = 0
    accumulate: int = 1
    all_gpus: bool = False
    sync_batchnorm: bool = False
    scale_lr: bool = False
    log_every: int = 10
    probe_seconds: float = 0.5
    head_epochs: int = 0
    finetune_lr_factor: float = 0.1

    def to_dict(self) -> dict[str, Any]:
        """The settings as a project `training` section."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def check_value(spec: ParamSpec, value: Any) -> Any:
    """`value` converted to the field's type, or SettingsError saying what is expected."""
    try:
        return spec.coerce(value)
    except ParamValueError as exc:
        raise SettingsError(spec.name, exc.message) from None


def parse_training(raw: Mapping[str, Any] | None, **overrides: Any) -> TrainingSettings:
    """Validate a training section; missing keys take defaults, `overrides` (not None) win."""
    merged = {**(raw or {}), **{k: v for k, v in overrides.items() if v is not None}}
    unknown = sorted(set(merged) - set(_BY_NAME))
    if unknown:
        raise SettingsError(unknown[0], f"is not a training setting; known: {', '.join(_BY_NAME)}")
    return TrainingSettings(**{k: check_value(_BY_NAME[k], v) for k, v in merged.items()})
