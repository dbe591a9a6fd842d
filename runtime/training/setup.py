"""Everything a run needs before its first iteration: device, data on it, model, optimizer,
schedule, loss."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from runtime.compile import CompiledNetwork, build_model
from runtime.data import DataSettings, DeviceData, StreamData, open_data, parse_data
from runtime.data.sharded import ShardedData
from runtime.plan import make_plan
from runtime.segmentation.device_data import SegmentationDeviceData
from runtime.segmentation.losses import make_segmentation_loss
from runtime.segmentation.output_fit import OutputFit, check_classes, output_fit
from runtime.segmentation.source import open_segmentation
from runtime.segmentation.stream_data import SegmentationStreamData
from runtime.project import Project
from runtime.training.fit_checks import check_head, check_memory, free_memory, too_large
from runtime.training.recipe import Schedule, initialise, make_loss, make_optimizer
from runtime.training.distributed import World
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
    data: DeviceData | StreamData | ShardedData | SegmentationDeviceData | SegmentationStreamData
    model: CompiledNetwork
    step_fn: Callable[[torch.Tensor], torch.Tensor]
    layer_names: list[str]
    input_name: str
    optimizer: torch.optim.Optimizer
    schedule: Schedule
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    warnings: list[str]
    world: World | None = None
    """The processes training together under torchrun (None: this process alone)."""
    ddp: DistributedDataParallel | None = None
    """The model wrapped for gradient averaging across `world` (None alone)."""

    @property
    def processes(self) -> int:
        """How many processes train together."""
        return self.world.size if self.world else 1

    @property
    def global_batch(self) -> int:
        """Samples per weight update: batch × processes × accumulation."""
        batch = min(self.settings.batch_size, self.data.train_size)
        return batch * self.processes * self.settings.accumulate

    fit: OutputFit | None = None
    """Segmentation: how the masks meet the network's output (None when classifying)."""

    @property
    def segmentation(self) -> bool:
        """Whether the run scores masks (one class per pixel) rather than images."""
        return self.project.task == "segmentation"


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


def _scaled(s: TrainingSettings, world: World | None, warnings: list[str]) -> TrainingSettings:
    """The settings with the learning rate multiplied by processes × accumulation when asked."""
    factor = (world.size if world else 1) * s.accumulate
    if not s.scale_lr or factor == 1:
        return s
    warnings.append(
        f"linear scaling rule: learning rate {s.lr:g} × {factor} = {s.lr * factor:g} "
        f"for {factor} times the batch per update"
    )
    return replace(s, lr=min(10.0, s.lr * factor))


def _distributed(
    model: CompiledNetwork, s: TrainingSettings, world: World, device: torch.device, notes: list
) -> DistributedDataParallel:
    """The model wrapped in DistributedDataParallel (batch norm synchronised when asked, on
    GPUs)."""
    has_bn = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
    if s.sync_batchnorm and has_bn:
        if device.type == "cuda":
            nn.SyncBatchNorm.convert_sync_batchnorm(model)
        else:
            notes.append(
                "synchronised batch norm needs GPUs; on the CPU each process normalises with "
                "its own batch's statistics"
            )
    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


def prepare(project: Project, world: World | None = None, **overrides: Any) -> Setup:
    """Validate settings, load and split the data onto the device, build the network and the recipe.

    With a `world` (a torchrun process) the process joins its group, takes its share of the data
    and trains a DistributedDataParallel model."""
    s = parse_training(project.training, **overrides)
    base = project.path.parent if project.path else None
    ds = parse_data(project.data, project.input_shape, base)
    device = pick_device(s.device)
    warnings: list[str] = []
    if world is not None:
        device = world.device(device)
        world.join(device)
    s = _scaled(s, world, warnings)
    if s.precision != "fp32" and device.type != "cuda":
        warnings.append(
            f"mixed precision ({s.precision}) needs CUDA; training in float32 on {device.type}"
        )
    fit = None
    if project.task == "segmentation":
        if world is not None:
            raise SettingsError(
                "nproc_per_node",
                "segmentation trains in one process for now; run it without --nproc-per-node",
            )
        plan = make_plan(project)
        fit = output_fit(plan.analysis)
        data = open_segmentation(ds, project.input_shape, device, fit, s.seed, s.channels_last)
        check_classes(fit, data.classes, data.name)
        loss = make_segmentation_loss(s, len(data.classes), device)
        warnings.extend(note for note in (fit.note(),) if note)
    else:
        loss = make_loss(s)
        data = open_data(ds, project.input_shape, device, s.seed, s.channels_last)
        warnings.extend(data.notes)
        if world is not None:
            data = ShardedData(data, world.rank, world.size, s.seed)
        plan = make_plan(project)
        name = getattr(data, "name", None) or ds.source
        check_head(plan, project.graph.nodes[plan.analysis.output_id].params, data.classes, name)
    per_epoch = data.steps_per_epoch(s.batch_size)
    if s.accumulate > per_epoch:
        raise SettingsError(
            "accumulate",
            f"{s.accumulate} iterations per update is more than the {per_epoch} of an epoch; "
            f"choose at most {per_epoch}",
        )
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
    # one process has no gradients to average: it trains the plain model (no wrapper overhead)
    alone = world is None or world.size == 1
    ddp = None if alone else _distributed(model, s, world, device, warnings)
    optimizer = make_optimizer(list(model.parameters()), s)
    schedule = Schedule(optimizer, s, per_epoch // s.accumulate)
    return Setup(
        project,
        s,
        ds,
        device,
        data,
        model,
        _compiled(ddp if ddp is not None else model, s, warnings),
        [step.name for step in plan.steps],
        plan.input_name,
        optimizer,
        schedule,
        loss,
        warnings,
        world,
        ddp,
        fit,
    )
