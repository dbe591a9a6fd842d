"""Checkpoints: weights and optimizer tensors in safetensors, everything else in JSON.

Every save writes the tensors to new, uniquely named files first and the JSON that names them last,
each through a temporary file that is fsynced and renamed. Files the new JSON no longer names are
removed only after it is in place, so a crash at any instant leaves the previous checkpoint whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from safetensors.torch import save as save_bytes
from torch import nn

from runtime.atomic_write import fsync_folder, write_atomic
from runtime.training.checkpoint_fields import (
    CheckpointError,
    check_meta,
    check_regular,
    read_regular,
)
from runtime.training.optimizer_state import restore_optimizer

__all__ = [
    "CheckpointError",
    "load_optimizer",
    "load_weights",
    "read_checkpoint",
    "save_checkpoint",
]


def _optimizer_tensors(
    optimizer: torch.optim.Optimizer,
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Split optimizer state into tensors (for safetensors) and plain JSON values."""
    state = optimizer.state_dict()
    tensors, plain = {}, {}
    for index, entry in state["state"].items():
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                plain[f"{index}.{key}"] = value
    return tensors, {"param_groups": state["param_groups"], "plain": plain}


def save_checkpoint(
    folder: str | Path,
    stem: str,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None,
    info: dict[str, Any],
) -> Path:
    """Write `<stem>-<step>-<tag>.safetensors` (weights), its `.optimizer.safetensors` twin, then
    `<stem>.json` naming both; returns the JSON. Raises WriteError (the old checkpoint intact)."""
    folder = Path(folder)
    base = f"{stem}-{int(info.get('step', 0))}-{secrets.token_hex(3)}"
    weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = dict(info, weights=f"{base}.safetensors")
    write_atomic(folder / meta["weights"], save_bytes(weights))
    if optimizer is not None:
        tensors, rest = _optimizer_tensors(optimizer)
        meta["optimizer"] = dict(rest, tensors=f"{base}.optimizer.safetensors")
        write_atomic(folder / meta["optimizer"]["tensors"], save_bytes(tensors))
    path = folder / f"{stem}.json"
    write_atomic(path, json.dumps(meta, indent=2, default=float) + "\n")
    _remove_unnamed(folder, stem, {meta["weights"], (meta.get("optimizer") or {}).get("tensors")})
    return path


def _remove_unnamed(folder: Path, stem: str, keep: set[str | None]) -> None:
    """Delete this stem's tensor files that its JSON no longer names (earlier saves, interrupted
    ones)."""
    pattern = re.compile(rf"{re.escape(stem)}-\d+-[0-9a-f]{{6}}(\.optimizer)?\.safetensors")
    removed = False
    for entry in os.scandir(folder):
        if pattern.fullmatch(entry.name) and entry.name not in keep:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed = True
    if removed:
        with contextlib.suppress(OSError):
            fsync_folder(folder)


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """The checked JSON part of a checkpoint (a .json path or a folder holding last.json).

    Every field is validated here: a tampered or truncated file is one CheckpointError naming it."""
    path = Path(path)
    if path.is_dir():
        path = path / "last.json"
    raw = read_regular(path, "checkpoint", limit=64 << 20)
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CheckpointError(
            path,
            f"checkpoint is not valid JSON ({str(exc).splitlines()[0][:80]}); "
            "it may have been cut short or edited",
        ) from None
    check_meta(meta, path)
    meta["_folder"] = str(path.parent)
    meta["_path"] = str(path)
    return meta


def _tensors(meta: dict[str, Any], name: str, what: str) -> tuple[Path, dict[str, torch.Tensor]]:
    """Load the safetensors file `name` beside the checkpoint's JSON."""
    path = Path(meta["_folder"]) / name
    check_regular(path, f"{what} file")
    try:
        return path, load_file(str(path))
    except (SafetensorError, ValueError, RuntimeError, OSError) as exc:
        raise CheckpointError(
            path, f"{what} cannot be read ({str(exc).splitlines()[0][:80]}); the file is damaged"
        ) from None


def _shape(shape: Any) -> str:
    """A shape as 4×1×3×3 (a scalar as 'a single number')."""
    return "×".join(str(d) for d in shape) if len(shape) else "a single number"


def load_weights(meta: dict[str, Any], model: nn.Module) -> None:
    """Load a checkpoint's weights into `model`; names, shapes and values must fit the network."""
    path, tensors = _tensors(meta, meta["weights"], "weights")
    expected = model.state_dict()
    missing = sorted(set(expected) ^ set(tensors))
    if missing:
        raise CheckpointError(
            path,
            f"weights do not match the network (e.g. '{missing[0]}'); was the graph "
            "changed since this checkpoint?",
        )
    for name, tensor in tensors.items():
        want = expected[name]
        if tensor.shape != want.shape:
            raise CheckpointError(
                path,
                f"'{name}' has shape {_shape(tensor.shape)} here but "
                f"{_shape(want.shape)} in the network; was the graph changed since "
                "this checkpoint?",
            )
        if (
            tensor.dtype.is_floating_point != want.dtype.is_floating_point
            or tensor.dtype == torch.bool
        ):
            raise CheckpointError(
                path, f"'{name}' holds {tensor.dtype} values; the network needs {want.dtype}"
            )
        if tensor.dtype.is_floating_point and not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(
                path, f"'{name}' holds NaN or infinite values; use an earlier checkpoint"
            )
    model.load_state_dict(tensors)


def load_optimizer(meta: dict[str, Any], optimizer: torch.optim.Optimizer) -> list[float] | None:
    """Restore optimizer state saved by save_checkpoint; returns the saved learning rate of each
    group
    (None when no state was saved). Hyperparameters come from the current settings."""
    saved = meta.get("optimizer")
    if not saved:
        return None
    path, tensors = _tensors(meta, saved["tensors"], "optimizer state")
    return restore_optimizer(optimizer, tensors, saved, path)
