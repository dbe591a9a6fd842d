"""Measure: what safe checkpoints cost. A save through temporary files, fsync, rename and a folder
fsync
(tensor files first, the JSON naming them last) against the plain in-place safetensors writes it
replaced,
side by side in one run, for a LeNet-sized and a ResNet-sized network with Adam state.

Prints the median time of each and their ratio. Usage: python bench/bench_checkpoint_write.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime.training.checkpoint import _optimizer_tensors, save_checkpoint  # noqa: E402

REPEATS = 7


def _model(width: int, depth: int) -> tuple[nn.Module, torch.optim.Optimizer]:
    """A stack of convolutions and one Adam step, so that the optimizer holds state."""
    layers = [nn.Conv2d(3, width, 3)] + [nn.Conv2d(width, width, 3) for _ in range(depth - 1)]
    model = nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters())
    for p in model.parameters():
        p.grad = torch.ones_like(p)
    optimizer.step()
    return model, optimizer


def _plain(
    folder: Path, model: nn.Module, optimizer: torch.optim.Optimizer, info: dict, sync: bool = False
) -> None:
    """The old way: tensors written in place, then the JSON (with `sync`, each file fsynced
    after)."""
    names = ("last.safetensors", "last.optimizer.safetensors", "last.json")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(folder / names[0]))
    tensors, rest = _optimizer_tensors(optimizer)
    save_file(tensors, str(folder / names[1]))
    (folder / names[2]).write_text(json.dumps(dict(info, optimizer=rest), default=float))
    for name in names if sync else ():
        fd = os.open(folder / name, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)


def _median(action) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        action()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _measure(label: str, width: int, depth: int) -> None:
    """Time the three ways for one network size and print them."""
    model, optimizer = _model(width, depth)
    params = sum(p.numel() for p in model.parameters())
    info = {"epoch": 1, "step": 100}
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        plain = _median(lambda: _plain(Path(a), model, optimizer, info))
        synced = _median(lambda: _plain(Path(a), model, optimizer, info, sync=True))
        safe = _median(lambda: save_checkpoint(Path(b), "last", model, optimizer, info))
    print(
        f"{label:13s} {params:>10,} parameters: in place {plain * 1000:7.1f} ms, in place + fsync "
        f"{synced * 1000:7.1f} ms, atomic {safe * 1000:7.1f} ms; atomic / in place + fsync "
        f"{safe / synced:4.2f}, atomic / in place {safe / plain:5.2f}"
    )


def main() -> None:
    """Time both ways for two sizes and print the ratios."""
    _measure("LeNet-sized", 16, 3)
    _measure("ResNet-sized", 256, 12)
    print(
        "In place is not durable (no fsync) and a crash mid-write loses the checkpoint; "
        "figures are only meaningful on an otherwise idle machine."
    )


if __name__ == "__main__":
    main()
