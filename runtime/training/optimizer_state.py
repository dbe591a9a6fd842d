"""Put saved optimizer state back after checking it fits: every tensor a parameter's shape or a
number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from runtime.training.checkpoint_fields import CheckpointError

_KEYS: dict[type, tuple[frozenset[str], frozenset[str]]] = {
    torch.optim.SGD: (frozenset({"momentum_buffer"}), frozenset()),
    torch.optim.Adam: (
        frozenset({"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
        frozenset({"step", "exp_avg", "exp_avg_sq"}),
    ),
    torch.optim.AdamW: (
        frozenset({"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
        frozenset({"step", "exp_avg", "exp_avg_sq"}),
    ),
    torch.optim.Adagrad: (frozenset({"step", "sum"}), frozenset({"step", "sum"})),
    torch.optim.Adadelta: (
        frozenset({"step", "square_avg", "acc_delta"}),
        frozenset({"step", "square_avg", "acc_delta"}),
    ),
    torch.optim.RMSprop: (
        frozenset({"step", "square_avg", "momentum_buffer", "grad_avg"}),
        frozenset({"step", "square_avg"}),
    ),
    torch.optim.Adamax: (
        frozenset({"step", "exp_avg", "exp_inf"}),
        frozenset({"step", "exp_avg", "exp_inf"}),
    ),
    torch.optim.NAdam: (
        frozenset({"step", "mu_product", "exp_avg", "exp_avg_sq"}),
        frozenset({"step", "mu_product", "exp_avg", "exp_avg_sq"}),
    ),
}
"""Per optimizer: the state names it may keep per parameter, and those it cannot do without."""


def _needed(optimizer: torch.optim.Optimizer) -> tuple[frozenset[str], frozenset[str]]:
    """Allowed and required state names for this optimizer with its current hyperparameters."""
    allowed, required = _KEYS.get(type(optimizer), (frozenset(), frozenset()))
    group = optimizer.param_groups[0]
    if group.get("amsgrad"):
        required |= {"max_exp_avg_sq"}
    if isinstance(optimizer, torch.optim.RMSprop):
        required |= {"momentum_buffer"} if group.get("momentum", 0) > 0 else frozenset()
        required |= {"grad_avg"} if group.get("centered") else frozenset()
    return allowed, required


def restore_optimizer(
    optimizer: torch.optim.Optimizer,
    tensors: dict[str, torch.Tensor],
    saved: dict[str, Any],
    path: Path,
) -> list[float]:
    """Load the per-parameter state into `optimizer`; its hyperparameters stay as they are.

    Returns the saved learning rate of each parameter group (a plateau schedule continues from
    it)."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    groups = optimizer.state_dict()["param_groups"]
    saved_groups = saved["param_groups"]
    if [len(g["params"]) for g in saved_groups] != [len(g["params"]) for g in groups] or [
        i for g in saved_groups for i in g["params"]
    ] != list(range(len(params))):
        raise CheckpointError(
            path,
            "optimizer state is for a different set of parameters; was the graph "
            "changed since this checkpoint?",
        )
    allowed, required = _needed(optimizer)
    state: dict[int, dict[str, Any]] = {}
    for key, value in list(tensors.items()) + list(saved["plain"].items()):
        index, _, name = key.partition(".")
        if not index.isdigit() or int(index) >= len(params) or (allowed and name not in allowed):
            raise CheckpointError(
                path,
                f"optimizer state holds '{key[:40]}', which the "
                f"{type(optimizer).__name__} optimizer does not keep",
            )
        _check_value(value, params[int(index)], key, path)
        state.setdefault(int(index), {})[name] = value
    for index, entry in state.items():
        lacking = sorted(required - set(entry))
        if lacking:
            raise CheckpointError(
                path, f"optimizer state of parameter {index} lacks '{lacking[0]}'"
            )
    try:
        optimizer.load_state_dict({"state": state, "param_groups": groups})
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise CheckpointError(
            path, f"optimizer state does not fit: {str(exc).splitlines()[0][:100]}"
        ) from None
    return [float(g["lr"]) for g in saved_groups]


def _check_value(value: Any, param: torch.Tensor, key: str, path: Path) -> None:
    """A state value is None, a finite number, or a finite tensor shaped like its parameter (a
    single
    number for the step counters)."""
    if value is None:
        return
    if isinstance(value, (bool, int, float)):
        if not float("-inf") < float(value) < float("inf"):
            raise CheckpointError(path, f"optimizer state '{key}' is not a finite number")
        return
    if not isinstance(value, torch.Tensor):
        raise CheckpointError(path, f"optimizer state '{key}' must be a number or a tensor")
    scalar = key.endswith((".step", ".mu_product"))
    if value.shape != param.shape and not (scalar and value.numel() == 1):
        shape = "×".join(str(d) for d in value.shape) or "a number"
        raise CheckpointError(
            path,
            f"optimizer state '{key}' has shape {shape} but its parameter has "
            f"{'×'.join(str(d) for d in param.shape)}; was the graph changed since "
            "this checkpoint?",
        )
    if not value.dtype.is_floating_point or not bool(torch.isfinite(value).all()):
        raise CheckpointError(
            path, f"optimizer state '{key}' must hold finite floating-point values"
        )
