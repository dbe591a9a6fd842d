"""What the processes of a distributed run exchange and agree on: sums of metrics, each one's
rate, whether anyone asked to stop, and each process's augmentation seed per epoch."""

from __future__ import annotations

import torch

from runtime.training.distributed import World, all_gather_value, all_sum, sum_tensor


def epoch_seed(seed: int, rank: int, epoch: int) -> int:
    """The augmentation seed of one process in one epoch of a distributed run."""
    return (seed + 7919 * rank + 104729 * epoch) % 2**63


def exchange_window(
    world: World,
    device: torch.device,
    stopping: bool,
    sums: tuple[float, float, float],
    seen: int,
    rate: float,
) -> tuple[tuple[float, float, float], int, tuple[float, ...], bool]:
    """One exchange after a window of iterations: the (loss, correct, counted) `sums` and `seen`
    images added over every process, each process's rate, and whether anyone asked to stop."""
    loss, correct, counted = sums
    loss, correct, counted, total, stop = all_sum(
        [loss, correct, counted, float(seen), float(stopping)], device
    )
    rates = tuple(all_gather_value(rate, world, device))
    return (loss, correct, counted), int(total), rates, stop > 0


def exchange_epoch(
    device: torch.device, stopping: bool, sums: tuple[float, float, float]
) -> tuple[tuple[float, float, float], bool]:
    """The epoch's (loss, correct, counted) `sums` added over every process, and whether anyone
    asked to stop."""
    loss, correct, counted = sums
    loss, correct, counted, stop = all_sum([loss, correct, counted, float(stopping)], device)
    return (loss, correct, counted), stop > 0


def sum_validation(
    total: torch.Tensor, confusion: torch.Tensor, samples: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Validation loss sum, confusion counts and samples scored, added over every process."""
    total = sum_tensor(total.double())
    confusion = sum_tensor(confusion)
    samples = int(all_sum([float(samples)], device)[0])
    return total, confusion, samples
