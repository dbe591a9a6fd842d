"""The fixed text of an exported train.py: everything that varies comes in as checked literals."""

from __future__ import annotations

HEADER = '''"""Train {title} — a network designed in ConvStudio — with PyTorch alone.

    python train.py [--epochs N] [--out DIR]
    torchrun --nproc-per-node 2 train.py

Needs torch (and Pillow when the data is an image folder). The first epoch reproduces the
ConvStudio run with the same settings and seed (on the CPU, in one process): the same initial
weights (initial.pt), the same order of batches, augmentation and learning-rate schedule.
"""
'''

BODY = r'''
import argparse
import json
import math
import os
import time
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from model import {cls} as Network

HERE = Path(__file__).resolve().parent
SETTINGS = {settings}
"""The project's training settings."""
DATA = {data}
"""Where the images come from and how they are split and augmented."""
INPUT_SHAPE = {input_shape}
CLASS_NAMES = {classes}


def load_data(folder_override=None):
    """Training and validation images (uint8 N×C×H×W), labels, and the training statistics."""
    if DATA["kind"] == "bundled":
        data = torch.load(HERE / DATA["file"], weights_only=True)
        return data
    return load_folder(Path(folder_override or DATA["folder"]))


def load_folder(root):
    """An image folder with one sub-folder per class, decoded with Pillow and resized."""
    from PIL import Image

    c, h, w = INPUT_SHAPE
    images, labels = [], []
    for label, name in enumerate(CLASS_NAMES):
        for path in sorted((root / name).iterdir()):
            try:
                with Image.open(path) as picture:
                    picture = picture.convert("L" if c == 1 else "RGB").resize((w, h))
                    pixels = torch.frombuffer(bytearray(picture.tobytes()), dtype=torch.uint8)
            except OSError:
                continue  # not an image: skipped, as the app skips it
            images.append(pixels.view(h, w, c).permute(2, 0, 1))
            labels.append(label)
    x, y = torch.stack(images), torch.tensor(labels)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(DATA["split_seed"]))
    v = DATA["validation"]
    held = int(round(len(y) * v)) if v < 1 else int(v)
    val, train = order[:held].sort().values, order[held:].sort().values
    pixels = x[train].double() / 255.0
    mean = pixels.mean(dim=(0, 2, 3)).float()
    std = pixels.std(dim=(0, 2, 3), unbiased=False).clamp_min(1e-3).float()
    return {{
        "train_x": x[train], "train_y": y[train], "val_x": x[val], "val_y": y[val],
        "mean": mean, "std": std,
    }}


def random_crop(x, pad, gen):
    """Zero-pad every image by `pad` and cut a random H×W window from each."""
    n, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    oy = torch.randint(0, 2 * pad + 1, (n, 1), generator=gen, device=x.device)
    ox = torch.randint(0, 2 * pad + 1, (n, 1), generator=gen, device=x.device)
    rows = (oy + torch.arange(h, device=x.device))[:, :, None]
    cols = (ox + torch.arange(w, device=x.device))[:, None, :]
    batch = torch.arange(n, device=x.device)[:, None, None]
    return padded[batch, :, rows, cols].permute(0, 3, 1, 2)


def random_flip(x, gen):
    """Mirror a random half of the images left to right."""
    flip = torch.rand((x.shape[0], 1, 1, 1), generator=gen, device=x.device) < 0.5
    return torch.where(flip, x.flip(3), x)


def pca_jitter(x, values, vectors, sigma, gen):
    """AlexNet's PCA colour jitter."""
    alpha = torch.randn((x.shape[0], 3), generator=gen, device=x.device) * sigma
    return x + ((alpha * values) @ vectors.T)[:, :, None, None]


class Batches:
    """Normalised, augmented batches on `device`, in the order ConvStudio draws them."""

    def __init__(self, data, device, rank, world):
        self.d = {{k: v.to(device) if torch.is_tensor(v) else v for k, v in data.items()}}
        self.device, self.rank, self.world = device, rank, world
        self.mean = self.d["mean"].view(1, -1, 1, 1)
        self.std = self.d["std"].view(1, -1, 1, 1)

    def steps(self, batch):
        return max(1, len(self.d["train_y"]) // (batch * self.world))

    def augmented(self, images, gen):
        x = images.float() / 255.0
        aug = DATA["augment"]
        if aug["crop_padding"]:
            x = random_crop(x, aug["crop_padding"], gen)
        if aug["flip"]:
            x = random_flip(x, gen)
        if aug["pca_jitter"] > 0 and "pca_values" in self.d:
            x = pca_jitter(x, self.d["pca_values"], self.d["pca_vectors"], aug["pca_jitter"], gen)
        return (x - self.mean) / self.std

    def train(self, batch, gen, epoch):
        n = len(self.d["train_y"])
        if self.world == 1:
            order = torch.randperm(n, generator=gen, device=self.device)
        else:  # DistributedSampler's order: the same global batches whatever the process count
            sampler = torch.utils.data.DistributedSampler(
                range(n), self.world, self.rank, shuffle=True, seed=SETTINGS["seed"],
                drop_last=True,
            )
            sampler.set_epoch(epoch)
            order = torch.tensor(list(sampler), device=self.device)
        size = min(batch, len(order))
        for i in range(self.steps(batch)):
            index = order[i * size : (i + 1) * size]
            yield self.augmented(self.d["train_x"][index], gen), self.d["train_y"][index]

    def validation(self, batch=1000):
        n = len(self.d["val_y"])
        start, stop = n * self.rank // self.world, n * (self.rank + 1) // self.world
        for i in range(start, stop, batch):
            end = min(i + batch, stop)
            x = (self.d["val_x"][i:end].float() / 255.0 - self.mean) / self.std
            yield x, self.d["val_y"][i:end]


def make_optimizer(params):
    """The optimizer the settings name."""
    s = SETTINGS
    opt, lr, wd = s["optimizer"], s["lr"], s["weight_decay"]
    if opt in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD(
            params, lr, momentum=0.0 if opt == "sgd" else s["momentum"],
            nesterov=opt == "nesterov", weight_decay=wd,
        )
    table = {{
        "adagrad": lambda: torch.optim.Adagrad(params, lr, weight_decay=wd),
        "adadelta": lambda: torch.optim.Adadelta(params, lr, weight_decay=wd),
        "rmsprop": lambda: torch.optim.RMSprop(params, lr, momentum=s["momentum"], weight_decay=wd),
        "adam": lambda: torch.optim.Adam(params, lr, weight_decay=wd),
        "amsgrad": lambda: torch.optim.Adam(params, lr, weight_decay=wd, amsgrad=True),
        "adamw": lambda: torch.optim.AdamW(params, lr, weight_decay=wd),
        "adamax": lambda: torch.optim.Adamax(params, lr, weight_decay=wd),
        "nadam": lambda: torch.optim.NAdam(params, lr, weight_decay=wd),
    }}
    return table[opt]()


def make_schedule(optimizer, total):
    """The learning-rate schedule the settings name (None: constant)."""
    s, sched = SETTINGS, torch.optim.lr_scheduler
    if s["schedule"] == "one_cycle":
        return sched.OneCycleLR(
            optimizer, s["lr"], total_steps=total,
            cycle_momentum=s["optimizer"] in ("momentum", "nesterov"),
        )
    if s["schedule"] == "cosine":
        return sched.CosineAnnealingLR(optimizer, total)
    if s["schedule"] == "step":
        return sched.StepLR(optimizer, s["step_epochs"], s["gamma"])
    if s["schedule"] == "plateau":
        return sched.ReduceLROnPlateau(optimizer, factor=s["gamma"], patience=2)
    return None


def make_loss():
    """loss(logits, labels) -> scalar."""
    s = SETTINGS
    if s["loss"] == "hinge":
        return nn.MultiMarginLoss()
    if s["loss"] == "focal":
        def focal(logits, labels):
            ce = F.cross_entropy(logits.float(), labels, reduction="none")
            return ((1.0 - torch.exp(-ce)) ** s["focal_gamma"] * ce).mean()
        return focal
    return nn.CrossEntropyLoss(label_smoothing=s["label_smoothing"])


def join():
    """(rank, world size, device): under torchrun, joins the process group (gloo or nccl)."""
    cuda = torch.cuda.is_available() and SETTINGS["device"] != "cpu"
    if "WORLD_SIZE" not in os.environ:
        return 0, 1, torch.device("cuda" if cuda else "cpu")
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    device = torch.device("cpu")
    if cuda:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    dist.init_process_group(
        "nccl" if cuda else "gloo", rank=rank, world_size=world, timeout=timedelta(seconds=120)
    )
    return rank, world, device


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    parser.add_argument("--out", type=Path, default=HERE / "run")
    parser.add_argument("--data", type=Path, help="the image folder (folder data sets only)")
    args = parser.parse_args()
    if SETTINGS["threads"]:
        torch.set_num_threads(SETTINGS["threads"])
    rank, world, device = join()
    torch.manual_seed(SETTINGS["seed"])  # dropout and the like
    model = Network()
    model.load_state_dict(torch.load(HERE / "initial.pt", weights_only=True))
    model = model.to(device)
    step_model = model
    if world > 1:
        step_model = nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )
    data = Batches(load_data(args.data), device, rank, world)
    batch = SETTINGS["batch_size"]
    per_epoch = data.steps(batch)
    optimizer = make_optimizer(list(model.parameters()))
    schedule = make_schedule(optimizer, SETTINGS["epochs"] * per_epoch)
    loss_fn = make_loss()
    gen = torch.Generator(device=device).manual_seed(SETTINGS["seed"])
    classes = len(CLASS_NAMES)
    if rank == 0:
        args.out.mkdir(parents=True, exist_ok=True)
        log = open(args.out / "metrics.jsonl", "w", encoding="utf-8")
    for epoch in range(args.epochs):
        if world > 1:
            gen.manual_seed((SETTINGS["seed"] + 7919 * rank + 104729 * epoch) % 2**63)
        model.train()
        total, steps, t0 = 0.0, 0, time.perf_counter()
        for x, y in data.train(batch, gen, epoch):
            loss = loss_fn(step_model(x), y)
            value = loss.item()
            if not math.isfinite(value):
                raise SystemExit(f"rank {{rank}}: the loss became {{value}} in epoch {{epoch + 1}}")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if SETTINGS["schedule"] in ("one_cycle", "cosine"):
                schedule.step()
            total += value
            steps += 1
        model.eval()
        val = torch.zeros(2 + classes, dtype=torch.float64, device=device)
        with torch.no_grad():
            for x, y in data.validation():
                logits = model(x)
                val[0] += float(loss_fn(logits, y)) * len(y)
                val[1] += float((logits.argmax(1) == y).sum())
                val[2] += len(y)
        sums = torch.tensor([total, steps], dtype=torch.float64, device=device)
        if world > 1:
            dist.all_reduce(sums)
            dist.all_reduce(val)
        val_loss = float(val[0] / val[2])
        if SETTINGS["schedule"] == "step":
            schedule.step()
        elif SETTINGS["schedule"] == "plateau":
            schedule.step(val_loss)
        if rank == 0:
            record = {{
                "epoch": epoch + 1,
                "train_loss": float(sums[0] / sums[1]),
                "val_loss": val_loss,
                "val_accuracy": float(val[1] / val[2]),
                "seconds": round(time.perf_counter() - t0, 3),
                "processes": world,
            }}
            print(json.dumps(record), flush=True)
            log.write(json.dumps(record) + "\n")
            log.flush()
            torch.save(model.state_dict(), args.out / "trained.pt")
    if world > 1:
        # every process leaves together: one that closes its connections while rank 0 still
        # writes its files makes gloo abort rank 0 at exit ("terminate called ...")
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''

README = """# {title}: a training script to take away

Written by ConvStudio from {source}. Nothing here refers back to ConvStudio.

- `model.py`: the network, `{cls}` (needs only torch).
- `train.py`: trains it with the project's settings ({summary}).
- `initial.pt`: the initial weights of the ConvStudio run (a plain state dict).
{data_line}

Run it in one process, or in several with PyTorch's launcher:

    python train.py --epochs 3
    torchrun --nproc-per-node 2 train.py

Under torchrun each process trains on its share of every batch (batch {batch} per process, gloo on
CPUs, nccl on GPUs) and rank 0 writes `run/metrics.jsonl` and `run/trained.pt`. With the same
settings and seed, one process on the CPU reproduces the ConvStudio run's losses.
"""
