"""One process of a torchrun job: its place in the world, joining the process group, collectives.

torchrun (`torch.distributed.run`) starts the processes and sets RANK, WORLD_SIZE and LOCAL_RANK;
each process joins with nccl on GPUs or gloo on CPUs. Every collective is bounded by the group's
timeout, so a process whose peer died ends instead of waiting for ever."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

DEFAULT_TIMEOUT_S = 120.0
"""Longest wait on one collective (validation and checkpoint writes on rank 0 included)."""


@dataclass(frozen=True)
class World:
    """This process's rank among `size` processes, and its rank on this machine."""

    rank: int
    size: int
    local_rank: int = 0
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def main(self) -> bool:
        """Whether this process writes checkpoints, metrics and events (rank 0)."""
        return self.rank == 0

    @staticmethod
    def from_environment(timeout_s: float = DEFAULT_TIMEOUT_S) -> World | None:
        """The world torchrun described in the environment, or None outside torchrun."""
        if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
            return None
        return World(
            int(os.environ["RANK"]),
            int(os.environ["WORLD_SIZE"]),
            int(os.environ.get("LOCAL_RANK", "0")),
            timeout_s,
        )

    def device(self, device: torch.device) -> torch.device:
        """This process's device: its own GPU (by local rank) when training on CUDA."""
        if device.type != "cuda":
            return device
        torch.cuda.set_device(self.local_rank)
        return torch.device("cuda", self.local_rank)

    def join(self, device: torch.device) -> None:
        """Join the process group (nccl on GPUs, gloo otherwise) unless already in it."""
        if dist.is_initialized():
            return
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(
            backend,
            rank=self.rank,
            world_size=self.size,
            timeout=timedelta(seconds=self.timeout_s),
            device_id=device if device.type == "cuda" else None,
        )

    def leave(self, together: bool = False) -> None:
        """Leave the process group (nothing when not in one). `together`: every process ended the
        run at the same point, so they first meet at a barrier; a process that closes its
        connections while another still writes its files makes gloo abort the other at exit."""
        if dist.is_initialized():
            if together:
                dist.barrier()
            dist.destroy_process_group()


def all_sum(values: list[float], device: torch.device) -> list[float]:
    """Each value summed over all processes (one collective)."""
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return tensor.tolist()


def all_gather_value(value: float, world: World, device: torch.device) -> list[float]:
    """One number from every process, in rank order (one collective)."""
    mine = torch.tensor([value], dtype=torch.float64, device=device)
    found = [torch.zeros_like(mine) for _ in range(world.size)]
    dist.all_gather(found, mine)
    return [float(t) for t in found]


def sum_tensor(tensor: torch.Tensor) -> torch.Tensor:
    """`tensor` summed over all processes, in place (validation totals, confusion matrices)."""
    dist.all_reduce(tensor)
    return tensor
