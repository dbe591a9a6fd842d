"""Checks made before the first batch: the head's class count against the data, and the memory a run
needs."""

from __future__ import annotations

import os
from typing import Any

import torch

from runtime.errors import ConvStudioError
from runtime.plan import Plan
from runtime.training.settings import TrainingSettings

OPTIMIZER_SLOTS = {
    "sgd": 0,
    "momentum": 1,
    "nesterov": 1,
    "adagrad": 1,
    "adadelta": 2,
    "rmsprop": 2,
    "adam": 2,
    "adamw": 2,
    "adamax": 2,
    "nadam": 2,
    "amsgrad": 3,
}
"""Tensors the size of the weights each optimizer keeps per parameter."""


class HeadMismatchError(ConvStudioError):
    """The network's output does not give one score per class of the data.

    `node_id`/`node_name` name the output node; `fixable` says whether setting its num_classes to
    `data_classes` is the fix (the window offers it)."""

    def __init__(
        self,
        message: str,
        node_id: str,
        node_name: str,
        head_classes: int | None,
        data_classes: int,
        fixable: bool,
    ) -> None:
        super().__init__(message)
        self.node_id, self.node_name = node_id, node_name
        self.head_classes, self.data_classes, self.fixable = head_classes, data_classes, fixable


class ModelTooLargeError(ConvStudioError):
    """The network (with its optimizer state and activations) does not fit in the device's
    memory."""


def check_head(
    plan: Plan, num_params: dict[str, Any], classes: tuple[str, ...], data_name: str
) -> None:
    """HeadMismatchError unless the output node gives exactly one score per class of the data."""
    analysis = plan.analysis
    out_id = analysis.output_id
    node = analysis.nodes[out_id]
    wanted, name = len(classes), node.name
    shape = tuple(node.out_shape)
    set_count = num_params.get("num_classes", 0)
    if len(shape) == 1 and shape[0] == wanted:
        return
    data = f"the data ({data_name}) has {wanted} classes"
    if len(shape) != 1:
        dims = "×".join(str(d) for d in shape)
        raise HeadMismatchError(
            f"the network's output '{name}' is {dims} per image but {data}: set "
            f"num_classes of '{name}' to {wanted} to give one score per class",
            out_id,
            name,
            None,
            wanted,
            True,
        )
    if set_count:
        raise HeadMismatchError(
            f"the head '{name}' gives {shape[0]} class scores but {data}: set "
            f"num_classes of '{name}' to {wanted}",
            out_id,
            name,
            shape[0],
            wanted,
            True,
        )
    raise HeadMismatchError(
        f"the network's output '{name}' gives {shape[0]} scores but {data}: make the "
        f"layer before '{name}' produce {wanted} outputs, or set num_classes of '{name}' "
        f"to {wanted}",
        out_id,
        name,
        shape[0],
        wanted,
        True,
    )


def size_text(count: float) -> str:
    """Bytes as '3.2 GB'."""
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if count < 1000 or unit == "PB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return ""


def free_memory(device: torch.device) -> int | None:
    """Bytes that can still be allocated on `device` (None when unknown)."""
    if device.type == "cuda":
        try:
            return int(torch.cuda.mem_get_info(device)[0])
        except (RuntimeError, AssertionError):
            return None
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def training_bytes(plan: Plan, s: TrainingSettings) -> tuple[int, int, int]:
    """(weights, weights with gradients, optimizer state and buffers, activations of one batch) in
    float32 bytes; a training step keeps about three copies of the activations."""
    a = plan.analysis
    weights = a.params_total * 4
    state = weights * (2 + OPTIMIZER_SLOTS.get(s.optimizer, 2)) + a.buffers * 4
    return weights, state, a.activations * s.batch_size * 4 * 3


def _largest_layer(plan: Plan) -> tuple[str, int]:
    """The name and parameter count of the layer with the most parameters."""
    nodes = plan.analysis.nodes.values()
    biggest = max(nodes, key=lambda n: n.params_total, default=None)
    return (biggest.name, biggest.params_total) if biggest is not None else ("", 0)


def too_large(
    plan: Plan, s: TrainingSettings, device: torch.device, free: int | None
) -> ModelTooLargeError:
    """The error saying how large the run is, what is free and what to change."""
    weights, state, activations = training_bytes(plan, s)
    name, count = _largest_layer(plan)
    has = (
        f"{device.type} has {size_text(free)} free"
        if free is not None
        else f"{device.type} is out of memory"
    )
    if activations > state:
        smaller = max(1, s.batch_size * (free or 0) // max(1, 2 * (state + activations)))
        fix = f"use a smaller batch size (e.g. {smaller}) or a smaller input"
    elif count * 2 > plan.analysis.params_total:
        fix = f"give '{name}' ({count:,} parameters) fewer channels or units"
    else:
        fix = "use fewer channels or units in the largest layers"
    return ModelTooLargeError(
        f"the network is too large to train here: {plan.analysis.params_total:,} "
        f"parameters ({size_text(weights)} of weights), about "
        f"{size_text(state + activations)} to train with {s.optimizer} at batch size "
        f"{s.batch_size}, but {has}: {fix}"
    )


def check_memory(plan: Plan, s: TrainingSettings, device: torch.device) -> None:
    """ModelTooLargeError when the run cannot fit in the device's free memory (checked before
    allocating:
    on Linux an oversized allocation may be granted and the process killed later)."""
    free = free_memory(device)
    if free is not None and sum(training_bytes(plan, s)[1:]) > free:
        raise too_large(plan, s, device, free)
