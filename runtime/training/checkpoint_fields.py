"""What a checkpoint's JSON may hold: every field is checked before any of it is used."""

from __future__ import annotations

import math
import os
import re
import stat
from pathlib import Path
from typing import Any

from runtime.data.errors import DataError

_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.safetensors")
"""Tensor files are plain names in the checkpoint's own folder: no folders, no '..', no odd
characters."""


class CheckpointError(DataError):
    """A checkpoint that cannot be used (missing, cut short, tampered, not matching the network)."""


def _shown(value: Any) -> str:
    """A short, safe rendering of a value found in a file."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_regular(path: Path, what: str) -> int:
    """The size of the regular file at `path`; CheckpointError when it is missing or not a file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise CheckpointError(path, f"{what} does not exist") from None
    except OSError as exc:
        raise CheckpointError(path, f"{what} cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise CheckpointError(path, f"{what} must be a regular file")
    return info.st_size


def read_regular(path: Path, what: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most `limit`); never opens devices or pipes."""
    size = check_regular(path, what)
    if limit is not None and size > limit:
        raise CheckpointError(
            path, f"{what} is {size:,} bytes; a checkpoint's JSON is at most {limit:,}"
        )
    try:
        with open(path, "rb") as handle:
            return handle.read(size + 1 if limit is None else limit + 1)
    except OSError as exc:
        raise CheckpointError(path, f"{what} cannot be read: {exc.strerror or exc}") from None


def _count(meta: dict[str, Any], key: str, path: Path, required: bool) -> None:
    """`meta[key]` is a whole number ≥ 0 (present when required)."""
    if key not in meta:
        if required:
            raise CheckpointError(path, f"checkpoint has no '{key}' field")
        return
    value = meta[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 10**12:
        raise CheckpointError(
            path, f"checkpoint field '{key}' must be a whole number ≥ 0, got {_shown(value)}"
        )


def _file_name(value: Any, key: str, path: Path) -> None:
    """A tensor file named by the checkpoint: a plain name in its folder."""
    if not isinstance(value, str) or not _FILE_NAME.fullmatch(value) or ".." in value:
        raise CheckpointError(
            path,
            f"checkpoint field '{key}' must name a .safetensors file in the "
            f"checkpoint's folder, got {_shown(value)}",
        )


def _param_groups(groups: Any, path: Path) -> None:
    """A list of groups, each naming its parameters by index and holding a learning rate ≥ 0."""
    where = "checkpoint field 'optimizer.param_groups'"
    if not isinstance(groups, list) or not groups or not all(isinstance(g, dict) for g in groups):
        raise CheckpointError(
            path, f"{where} must be a non-empty list of objects, got {_shown(groups)}"
        )
    for group in groups:
        params, lr = group.get("params"), group.get("lr")
        if not isinstance(params, list) or not all(type(i) is int and i >= 0 for i in params):
            raise CheckpointError(
                path, f"{where}: 'params' must list parameter numbers, got {_shown(params)}"
            )
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not (0 <= lr < math.inf):
            raise CheckpointError(path, f"{where}: 'lr' must be a number ≥ 0, got {_shown(lr)}")


def _optimizer(value: Any, path: Path) -> None:
    """The optimizer entry: tensor file, param_groups and plain values."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise CheckpointError(
            path, f"checkpoint field 'optimizer' must be an object, got {_shown(value)}"
        )
    _file_name(value.get("tensors"), "optimizer.tensors", path)
    _param_groups(value.get("param_groups"), path)
    plain = value.get("plain", {})
    if not isinstance(plain, dict) or not all(isinstance(k, str) and "." in k for k in plain):
        raise CheckpointError(
            path,
            f"checkpoint field 'optimizer.plain' must map 'index.name' to values, "
            f"got {_shown(plain)}",
        )


def check_meta(meta: Any, path: Path) -> None:
    """Raise CheckpointError naming the first field that is missing or of the wrong kind."""
    if not isinstance(meta, dict) or "weights" not in meta:
        raise CheckpointError(path, "is not a ConvStudio checkpoint (no 'weights' entry)")
    _file_name(meta["weights"], "weights", path)
    _count(meta, "epoch", path, required=True)
    _count(meta, "step", path, required=False)
    _count(meta, "epoch_step", path, required=False)
    best = meta.get("best_val_accuracy")
    if best is not None and (
        isinstance(best, bool) or not isinstance(best, (int, float)) or not 0.0 <= best <= 1.0
    ):
        raise CheckpointError(
            path,
            f"checkpoint field 'best_val_accuracy' must be a fraction between 0 and 1 "
            f"or null, got {_shown(best)}",
        )
    _optimizer(meta.get("optimizer"), path)
    for key in ("scheduler", "settings"):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            raise CheckpointError(
                path, f"checkpoint field '{key}' must be an object or null, got {_shown(meta[key])}"
            )
    rng = meta.get("rng")
    if rng is not None and (
        not isinstance(rng, str) or len(rng) > 1 << 20 or not re.fullmatch(r"(?:[0-9a-f]{2})+", rng)
    ):
        raise CheckpointError(
            path, f"checkpoint field 'rng' must be hexadecimal text, got {_shown(rng)}"
        )
