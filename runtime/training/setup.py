"""Everything a run needs before its first iteration: device, data on it, model, optimizer,
schedule, loss."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from runtime.compile import CompiledNetwork, build_model
from runtime.data import DataSettings, DeviceData, StreamData, open_data, parse_data
from runtime.plan import make_plan
from runtime.project import Project
from runtime.training.fit_checks import check_head, check_memory, free_memory, too_large
from runtime.training.recipe import Schedule, initialise, make_loss, make_optimizer
from runtime.training.settings import SettingsError, TrainingSettings, parse_training
from runtime.weights.project_weights import apply_weights


def pick_device(name: str) -> torch.device:
    """'auto' → CUDA when available, else CPU; 'cuda' without a GPU is a settings error."""
    if name == "cuda" and not torch.cuda.is_available():
        raise SettingsError("device", "CUDA is not available on this machine; choose auto or cpu")
    return torch.device("cuda" if name in ("auto", "cuda") and torch.cuda.is_available() else "cpu")


@dataclass
class Setup:
    """The prepared pieces of one run."""

    project: Project
    settings: TrainingSettings
    data_settings: DataSettings
    device: torch.device
    data: DeviceData | StreamData
    model: CompiledNetwork
    step_fn: Callable[[torch.Tensor], torch.Tensor]
    layer_names: list[str]
    input_name: str
    optimizer: torch.optim.Optimizer
    schedule: Schedule
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    warnings: list[str]


def _compiled(model: CompiledNetwork, s: TrainingSettings, warnings: list[str]) -> Callable:
    """torch.compile the model when asked; fall back to eager with a warning if compiling is
    impossible."""
    if not s.compile:
        return model
    try:
        return torch.compile(model)
    except (RuntimeError, ImportError) as exc:
        warnings.append(f"torch.compile is unavailable ({exc}); training without it")
        return model


def prepare(project: Project, **overrides: Any) -> Setup:
    """Validate settings, load and split the data onto the device, build the network and the
    recipe."""
    s = parse_training(project.training, **overrides)
    base = project.path.parent if project.path else None
    ds = parse_data(project.data, project.input_shape, base)
    device = pick_device(s.device)
    warnings = []
    if s.precision != "fp32" and device.type != "cuda":
        warnings.append(
            f"mixed precision ({s.precision}) needs CUDA; training in float32 on {device.type}"
        )
    data = open_data(ds, project.input_shape, device, s.seed, s.channels_last)
    warnings.extend(data.notes)
    plan = make_plan(project)
    name = getattr(data, "name", None) or ds.source
    check_head(plan, project.graph.nodes[plan.analysis.output_id].params, data.classes, name)
    check_memory(plan, s, device)
    try:
        model = build_model(project, s.seed, plan.analysis)
        initialise(model, s)
        apply_weights(
            model, project
        )  # pretrained weights, when referenced, win over the initialisation
        model = model.to(
            device, memory_format=torch.channels_last if s.channels_last else torch.preserve_format
        )
    except (MemoryError, torch.OutOfMemoryError):
        raise too_large(plan, s, device, free_memory(device)) from None
    except RuntimeError as exc:
        if "alloc" not in str(exc) and "memory" not in str(exc):
            raise
        raise too_large(plan, s, device, free_memory(device)) from None
    optimizer = make_optimizer(list(model.parameters()), s)
    schedule = Schedule(optimizer, s, data.steps_per_epoch(s.batch_size))
    return Setup(
        project,
        s,
        ds,
        device,
        data,
        model,
        _compiled(model, s, warnings),
        [step.name for step in plan.steps],
        plan.input_name,
        optimizer,
        schedule,
        make_loss(s),
        warnings,
    )
