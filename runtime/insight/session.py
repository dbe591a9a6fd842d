"""A trained network ready to be studied: the model in pixel space (0–1 input), its classes and the
validation images of the split it was trained with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from runtime.analysis import analyze
from runtime.bypass import is_bypassed
from runtime.compile import CompiledNetwork, build_model
from runtime.data import (
    DataError,
    ImageSet,
    check_fits,
    channel_stats,
    load_images,
    parse_data,
    split,
)
from runtime.insight.lazy_validation import lazy_validation
from runtime.project import Project
from runtime.training.checkpoint import read_checkpoint


class PixelModel(nn.Module):
    """The compiled network behind its input normalisation: takes images scaled to 0–1, returns
    logits.

    Attacks and attributions work in pixel units this way (ε = 8/255 means eight grey levels)."""

    def __init__(self, net: CompiledNetwork, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("mean", mean.view(1, -1, 1, 1).float())
        self.register_buffer("std", std.view(1, -1, 1, 1).float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for 0–1 images (N, C, H, W)."""
        return self.net((x - self.mean) / self.std)

    def layer(self, name: str) -> nn.Module:
        """The module of the node called `name`."""
        return self.net.get_submodule(name)


@dataclass
class Session:
    """Everything the insight tools share: model (eval mode), classes, validation set, source."""

    project: Project
    model: PixelModel
    classes: tuple[str, ...]
    val: ImageSet
    checkpoint: Path | None
    shapes: dict[str, tuple[int, ...]]
    """Each layer's output shape (C, H, W) or (F,), by node name."""

    @property
    def layer_names(self) -> list[str]:
        """The network's layers in execution order (node names)."""
        return [name for name, *_ in self.model.net._program]

    def pixels(self, images: np.ndarray) -> torch.Tensor:
        """uint8 (N, C, H, W) → float 0–1 tensor."""
        return torch.from_numpy(np.array(images, dtype=np.float32)) / 255.0

    def val_pixels(self, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The first `limit` validation images (0–1) and their labels."""
        n = len(self.val) if limit is None else min(limit, len(self.val))
        return self.pixels(self.val.images[:n]), torch.from_numpy(self.val.labels[:n]).long()


def load_network_weights(project: Project, model: CompiledNetwork, checkpoint: str | Path) -> Path:
    """Load a checkpoint into `model`; layers the project bypasses are skipped. Returns the weights
    file."""
    checkpoint = Path(checkpoint)
    if checkpoint.suffix == ".safetensors":  # exported weights, or a checkpoint's tensor file
        path = checkpoint
    else:
        meta = read_checkpoint(checkpoint)
        path = Path(meta["_folder"]) / str(meta["weights"])
    try:
        tensors = load_file(str(path))
    except (OSError, SafetensorError) as exc:
        raise DataError(path, f"weights cannot be read: {exc}") from None
    skipped = {n.name for n in project.graph.nodes.values() if is_bypassed(n)}
    tensors = {k: v for k, v in tensors.items() if k.split(".", 1)[0] not in skipped}
    wanted = model.state_dict()
    odd = sorted(set(wanted) ^ set(tensors))
    if odd:
        raise DataError(
            path,
            f"weights do not match the network (e.g. '{odd[0]}'); was the graph changed "
            "since this checkpoint?",
        )
    for key, value in tensors.items():
        if tuple(value.shape) != tuple(wanted[key].shape):
            raise DataError(
                path,
                f"'{key}' has shape {tuple(value.shape)} in the checkpoint but "
                f"{tuple(wanted[key].shape)} in the network",
            )
    model.load_state_dict(tensors)
    return path


def open_session(project: Project, checkpoint: str | Path | None = None, seed: int = 0) -> Session:
    """Build the project's network (with a checkpoint's weights when given) and load its validation
    split (up to VALIDATION_LIMIT images of a source read file by file).

    Without a checkpoint the network keeps its seeded initial weights (useful before any
    training)."""
    base = project.path.parent if project.path else None
    ds = parse_data(project.data, project.input_shape, base)
    if ds.lazy:  # read file by file: draw the validation images the views need
        val, mean, std, _ = lazy_validation(ds, project.input_shape)
    else:
        images = load_images(ds, project.input_shape[0])
        check_fits(images, project.input_shape)
        train, val = split(images, ds.validation, ds.split_seed)
        mean, std = channel_stats(train)
    analysis = analyze(project)
    net = build_model(project, seed, analysis)
    if checkpoint is not None:
        load_network_weights(project, net, checkpoint)
    shapes = {f.name: tuple(f.out_shape) for f in analysis.nodes.values()}
    return make_session(project, net, val, mean, std, shapes, checkpoint)


def make_session(
    project: Project,
    net: CompiledNetwork,
    val: ImageSet,
    mean: np.ndarray,
    std: np.ndarray,
    shapes: dict[str, tuple[int, ...]],
    checkpoint: str | Path | None = None,
) -> Session:
    """A session on a network already built (its weights are not trained further: gradients stay
    off)."""
    model = PixelModel(net, torch.as_tensor(mean), torch.as_tensor(std)).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return Session(
        project, model, val.classes, val, Path(checkpoint) if checkpoint else None, shapes
    )
