"""Checkpoints: weights and optimizer tensors in safetensors, everything else in JSON."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from runtime.data.errors import DataError
from runtime.project import write_atomic


def _optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
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


def save_checkpoint(folder: str | Path, stem: str, model: nn.Module, optimizer: torch.optim.Optimizer | None,
                    info: dict[str, Any]) -> Path:
    """Write `<stem>.safetensors` (weights), `<stem>.optimizer.safetensors` and `<stem>.json`; returns the JSON."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(weights, str(folder / f"{stem}.safetensors"))
    meta = dict(info, weights=f"{stem}.safetensors")
    if optimizer is not None:
        tensors, rest = _optimizer_tensors(optimizer)
        save_file(tensors, str(folder / f"{stem}.optimizer.safetensors"))
        meta["optimizer"] = dict(rest, tensors=f"{stem}.optimizer.safetensors")
    path = folder / f"{stem}.json"
    write_atomic(path, json.dumps(meta, indent=2, default=float) + "\n")
    return path


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """The JSON part of a checkpoint (a .json path or a folder holding last.json)."""
    path = Path(path)
    if path.is_dir():
        path = path / "last.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(path, "checkpoint does not exist") from None
    except (OSError, ValueError) as exc:
        raise DataError(path, f"checkpoint cannot be read: {exc}") from None
    if not isinstance(meta, dict) or "weights" not in meta:
        raise DataError(path, "is not a ConvStudio checkpoint (no 'weights' entry)")
    meta["_folder"] = str(path.parent)
    return meta


def load_weights(meta: dict[str, Any], model: nn.Module) -> None:
    """Load a checkpoint's weights into `model`; names must match the project's layers."""
    path = Path(meta["_folder"]) / meta["weights"]
    try:
        tensors = load_file(str(path))
    except (OSError, SafetensorError) as exc:
        raise DataError(path, f"weights cannot be read: {exc}") from None
    missing = set(model.state_dict()) ^ set(tensors)
    if missing:
        raise DataError(path, f"weights do not match the network (e.g. '{sorted(missing)[0]}'); was the graph "
                              "changed since this checkpoint?")
    model.load_state_dict(tensors)


def load_optimizer(meta: dict[str, Any], optimizer: torch.optim.Optimizer) -> None:
    """Restore optimizer state saved by save_checkpoint (no-op when none was saved)."""
    saved = meta.get("optimizer")
    if not saved:
        return
    tensors = load_file(str(Path(meta["_folder"]) / saved["tensors"]))
    state: dict[int, dict[str, Any]] = {}
    for key, value in list(tensors.items()) + list(saved["plain"].items()):
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": saved["param_groups"]})

