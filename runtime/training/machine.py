"""What this machine offers for training: its GPUs."""

from __future__ import annotations

from blocks.lazy import lazy

torch = lazy("torch")  # the window asks for GPUs before torch has loaded


def gpu_count() -> int:
    """CUDA devices visible to this process."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def machine_text(count: int) -> str:
    """'this machine: 2 GPUs', or what trains when there is none."""
    if count == 0:
        return "this machine: no GPU (one process on the CPU)"
    return f"this machine: {count} GPU{'' if count == 1 else 's'}"


def processes_for(training: dict) -> int:
    """Processes a run of this training section starts: every GPU when 'all_gpus' asks for it
    and there are two or more, else one."""
    count = gpu_count()
    return count if training.get("all_gpus") and count >= 2 else 1
