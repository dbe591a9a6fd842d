"""Data pipeline benchmarks on generated files, measured side by side in one run (ratios are the
targets).

1. Throughput: 2,000 JPEGs of varied size (about 500×375), random-resized crop to 224 and flip,
   2 workers, against a plain Dataset that opens, converts and resizes with Pillow in a DataLoader
   with the same workers and batch, on the same files, whole epochs, alternating. Targets: ≥ 1.0×
   without draft decoding, ≥ 1.3× with it. 1b gives the same comparison as CPU time per image in
   one process, which a loaded machine does not skew. The crop box is chosen from the JPEG
   header before decoding; draft decoding shrinks by 2, 4 or 8 only while the crop keeps at least
   the input's size, so a 500×375 photo cropped to 224 is seldom drafted. `fast_decode` (opt-in)
   lets the crop shrink to 1/1.5 of the input per side, which drafts about a quarter of them.
2. Memory: RSS (this process and its loader workers) while iterating 20,000 images, minus the same
   for 2,000. Target: ≤ 300 MB.
3. Time to first batch on 20,000 files: cold (no index or statistics cached) ≤ 5 s, cached ≤ 2 s.
4. Not input-bound: LeNet-5 step time trained from a folder of 28×28 PNGs with 2 workers, over the
   step time on the in-memory MNIST tensors. Target ≤ 1.2×. Shown as the app opens such a folder
   (small images with a fixed crop are decoded once into memory) and streamed by the workers.

Generated files are kept in $TMPDIR/convstudio-bench-data (delete it to regenerate).
Usage: python bench/bench_data.py [--only 1,2,3,4] [--images N] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime.data import open_data, parse_data  # noqa: E402
from runtime.data.decode import faster_decoder  # noqa: E402

ROOT = Path(tempfile.gettempdir()) / "convstudio-bench-data"
CPU = torch.device("cpu")
WORKERS, BATCH = 2, 64


def _photo(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """A smooth picture with an object and noise (JPEG-compresses like a photo, not like flat
    colour)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r, g, b = rng.random(3) * 255
    img = np.stack([r * xx / w, g * yy / h, b * (1 - xx / w)], -1)
    cy, cx, rad = rng.random() * h, rng.random() * w, (0.2 + 0.3 * rng.random()) * min(w, h)
    img[(yy - cy) ** 2 + (xx - cx) ** 2 < rad * rad] = rng.random(3) * 255
    img += rng.normal(0, 8, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def make_jpegs(folder: Path, count: int, size: tuple[int, int], classes: int = 10) -> Path:
    """`count` JPEGs around `size` (±25 %) in `classes` class folders, generated once."""
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        w, h = (int(s * rng.uniform(0.75, 1.25)) for s in size)
        out = folder / f"c{i % classes}" / f"{i:06d}.jpg"
        out.parent.mkdir(parents=True, exist_ok=True)
        _photo(rng, w, h).save(out, quality=90)
    (folder / ".complete").touch()
    return folder


class PlainFolder(torch.utils.data.Dataset):
    """The hand-written baseline: open, convert to RGB, resize to 224×224, to a float tensor."""

    def __init__(self, root: Path, files: list[Path] | None = None) -> None:
        self.files = files if files is not None else sorted(root.glob("*/*.jpg"))
        self.classes = sorted(f.name for f in root.iterdir() if f.is_dir())

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        img = Image.open(self.files[i]).convert("RGB").resize((224, 224), Image.Resampling.BILINEAR)
        x = torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float() / 255.0
        return x, self.classes.index(self.files[i].parent.name)


def _epoch_rate(batches) -> float:
    """Images per second over one whole epoch, first batch included.

    Every epoch is read to its end: a loop left early leaves prefetched batches in the workers,
    which would then run during the next variant's measurement."""
    seen, t0 = 0, time.perf_counter()
    for x, _ in batches:
        seen += len(x)
    return seen / (time.perf_counter() - t0)


def _decoders() -> dict[str, tuple[bool, bool, bool]]:
    """The decoding variants measured: name → (draft, simplejpeg, fast_decode)."""
    variants = {
        "Pillow, no draft": (False, False, False),
        "Pillow + draft": (True, False, False),
        "Pillow + fast decode": (True, False, True),
    }
    if faster_decoder() != "Pillow":
        variants[f"{faster_decoder()} + draft"] = (True, True, False)
        variants[f"{faster_decoder()} + fast decode"] = (True, True, True)
    return variants


def _decoding(transforms: list, draft: bool, fast: bool, fast_decode: bool) -> list:
    """`transforms` with draft decoding, simplejpeg and fast_decode switched as asked."""
    return [
        replace(
            t, draft=draft, fast=fast, preprocess=replace(t.preprocess, fast_decode=fast_decode)
        )
        for t in transforms
    ]


def _stream(
    root: Path, shape: tuple[int, int, int], draft: bool, fast: bool, fast_decode: bool, **extra
):
    """StreamData on `root` with draft decoding, the faster decoder and fast_decode as asked."""
    section = {
        "source": "folder",
        "path": str(root),
        "workers": WORKERS,
        "validation": 0.05,
        **extra,
    }
    data = open_data(parse_data(section, shape), shape, CPU)
    data.dataset.transforms = _decoding(data.dataset.transforms, draft, fast, fast_decode)
    return data


def throughput(images: int, rounds: int) -> None:
    """Target 1: images/s, ours against the plain baseline, alternating; each reads whole epochs
    of the same `images` files (the rest of the 2,000 is held out)."""
    root = make_jpegs(ROOT / "jpeg500", 2000, (500, 375))
    images = min(images, 1900)
    held = {"validation": 2000 - images}
    streams = {n: _stream(root, (3, 224, 224), *f, **held) for n, f in _decoders().items()}
    first = next(iter(streams.values())).splits.train
    files = [Path(first.load(i)) for i in range(len(first))]  # the very files ours trains on
    plain = torch.utils.data.DataLoader(
        PlainFolder(root, files),
        batch_size=BATCH,
        shuffle=True,
        drop_last=True,
        num_workers=WORKERS,
        persistent_workers=True,
        prefetch_factor=4,
    )
    _epoch_rate(plain)  # start the workers of every loader before timing
    for data in streams.values():
        _epoch_rate(data.train_batches(BATCH, torch.Generator(), 0))
    rates: dict[str, list[float]] = {"baseline": [], **{n: [] for n in streams}}
    for r in range(rounds):
        rates["baseline"].append(_epoch_rate(plain))
        for name, data in streams.items():
            rates[name].append(_epoch_rate(data.train_batches(BATCH, torch.Generator(), r + 1)))
    base = statistics.median(rates["baseline"])
    print(
        f"1. throughput, {WORKERS} workers, batch {BATCH}, random-resized crop 224 + flip "
        f"(median of {rounds} whole epochs of {images} images, alternating):"
    )
    print(f"   plain baseline                       {base:7.0f} images/s")
    for name in streams:
        rate = statistics.median(rates[name])
        print(f"   ConvStudio, {name:<25} {rate:7.0f} images/s  {rate / base:4.2f}× baseline")
    for data in streams.values():
        data.close()


def cpu_cost(images: int, rounds: int) -> None:
    """Target 1, as CPU time: the work per image in one process (one thread), ours against the
    baseline's __getitem__ and collate. On a shared, loaded machine loader throughput follows
    the CPU share the workers get; this figure does not."""
    from torch.utils.data import default_collate

    from runtime.data.lazy import FinishingCollate

    torch.set_num_threads(1)
    root = make_jpegs(ROOT / "jpeg500", 2000, (500, 375))
    data = _stream(root, (3, 224, 224), True, True, False, workers=0, validation=2000 - images)
    order, seeds = data.order.epoch_keys(0)
    keys = [(0, int(i), int(s)) for i, s in zip(order, seeds)]
    plain = PlainFolder(root, [Path(data.splits.train.load(k[1])) for k in keys])
    finish = FinishingCollate(data.mean.view(-1), data.std.view(-1), data.preprocess.jitter)
    dataset, transforms = data.dataset, data.dataset.transforms
    flags = _decoders()

    def ours(draft: bool, fast: bool, fast_decode: bool) -> None:
        dataset.transforms = _decoding(transforms, draft, fast, fast_decode)
        for b in range(0, len(keys) - BATCH + 1, BATCH):
            finish([dataset[k] for k in keys[b : b + BATCH]])

    def baseline() -> None:
        for b in range(0, len(keys) - BATCH + 1, BATCH):
            default_collate([plain[i] for i in range(b, b + BATCH)])

    work = {"baseline": baseline, **{n: (lambda f=f: ours(*f)) for n, f in flags.items()}}
    costs: dict[str, list[float]] = {n: [] for n in work}
    for _ in range(rounds):
        for name, run in work.items():
            t0 = time.process_time()
            run()
            costs[name].append((time.process_time() - t0) / (len(keys) // BATCH * BATCH))
    base = statistics.median(costs["baseline"])
    print(f"1b. CPU per image, one process, one thread ({images} images, median of {rounds}):")
    print(f"   plain baseline                       {base * 1e3:6.2f} ms")
    for name in flags:
        cost = statistics.median(costs[name])
        print(f"   ConvStudio, {name:<25} {cost * 1e3:6.2f} ms  {base / cost:4.2f}× baseline")
    data.close()


def _rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes (MB)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def _peak_rss(data, batch: int = 128) -> float:
    """Highest RSS of this process and its loader workers over one epoch."""
    peak = 0.0
    for i, _ in enumerate(data.train_batches(batch, torch.Generator(), 0)):
        if i % 10 == 0:
            workers = [w.pid for w in getattr(data.loader()._iterator, "_workers", [])]
            peak = max(peak, _rss_mb([os.getpid(), *workers]))
    return peak


def memory() -> None:
    """Target 2: RSS over 20,000 images minus RSS over 2,000."""
    small = make_jpegs(ROOT / "jpeg96-2k", 2000, (96, 72))
    large = make_jpegs(ROOT / "jpeg96-20k", 20000, (96, 72))
    peaks = {}
    for name, root in (("2,000", small), ("20,000", large)):
        data = _stream(root, (3, 64, 64), True, True, False)
        peaks[name] = _peak_rss(data)
        data.close()
    print(
        f"2. memory: peak RSS (process + workers) iterating 2,000 images {peaks['2,000']:.0f} MB, "
        f"20,000 images {peaks['20,000']:.0f} MB: "
        f"+{peaks['20,000'] - peaks['2,000']:.0f} MB (target ≤ 300)"
    )


def first_batch() -> None:
    """Target 3: seconds from opening 20,000 files to the first batch, cold and cached."""
    root = make_jpegs(ROOT / "jpeg96-20k", 20000, (96, 72))
    cache = Path(tempfile.mkdtemp(prefix="convstudio-bench-cache-"))
    os.environ["CONVSTUDIO_CACHE"] = str(cache)
    times = {}
    for name in ("cold", "cached", "cached again"):
        t0 = time.perf_counter()
        data = _stream(root, (3, 64, 64), True, True, False)
        next(iter(data.train_batches(BATCH, torch.Generator(), 0)))
        times[name] = time.perf_counter() - t0
        data.close()
    shutil.rmtree(cache, ignore_errors=True)
    print(
        f"3. time to first batch on 20,000 files: cold {times['cold']:.2f} s (target ≤ 5), cached "
        f"{min(times['cached'], times['cached again']):.2f} s (target ≤ 2)"
    )


def _mnist_pngs() -> Path:
    """The bundled MNIST 5k as 28×28 PNG files in class folders, generated once."""
    folder = ROOT / "mnist-png"
    if (folder / ".complete").exists():
        return folder
    from runtime.data.bundled import load_mnist_5k

    data = load_mnist_5k()
    for i, (img, label) in enumerate(zip(data.images, data.labels)):
        out = folder / str(label) / f"{i:05d}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img[0]).save(out)
    (folder / ".complete").touch()
    return folder


def input_bound(steps: int, rounds: int) -> None:
    """Target 4: LeNet-5 step time from PNG files (2 workers) over in-memory MNIST, alternating:
    as the app opens the folder (small images with a fixed crop: decoded once into memory) and
    with that automatic cache switched off (every batch decoded by the workers)."""
    from runtime.data import memory_cache
    from runtime.project import load_project
    from runtime.training.control import Control
    from runtime.training.loop import _Run
    from runtime.training.setup import prepare

    lenet = Path(__file__).resolve().parents[1] / "assets" / "templates" / "lenet5.json"
    files = {
        "source": "folder",
        "path": str(_mnist_pngs()),
        "workers": WORKERS,
        "validation": 1000,
        "preprocess": {"train_crop": "center", "flip": False},
    }
    automatic = memory_cache.automatic_cache
    runs = {}
    for name, data in (
        ("memory", {"source": "mnist", "validation": 1000}),
        ("files", files),
        ("streamed", files),
    ):
        project = load_project(lenet)
        project.data = data
        if name == "streamed":
            memory_cache.automatic_cache = lambda *_: None
        try:
            runs[name] = _Run(prepare(project, device="cpu"), Control(), None)
        finally:
            memory_cache.automatic_cache = automatic
    times: dict[str, list[float]] = {n: [] for n in runs}
    for r in range(rounds):
        for name, run in runs.items():
            batches = iter(run.s.data.train_batches(run.s.settings.batch_size, run.gen, r))
            x, y = next(batches)
            run.train_step(x, y)  # warm
            t0, done = time.perf_counter(), 0
            for x, y in batches:
                run.train_step(x, y)
                done += 1
                if done == steps:
                    break
            times[name].append((time.perf_counter() - t0) / done)
            if hasattr(run.s.data, "close"):  # loader workers: read the epoch to its end, so
                for _ in batches:  # that no prefetched work runs during the next measurement
                    pass
    mem, cached, streamed = (statistics.median(times[n]) for n in ("memory", "files", "streamed"))
    print(
        f"4. LeNet-5 step, batch {runs['memory'].s.settings.batch_size}, median of {rounds}: "
        f"in-memory MNIST {mem * 1e3:.2f} ms; from 28×28 PNG files (target ≤ 1.2×): "
        f"as opened (decoded once into memory) {cached * 1e3:.2f} ms {cached / mem:.2f}×, "
        f"streamed by {WORKERS} workers {streamed * 1e3:.2f} ms {streamed / mem:.2f}×"
    )
    for run in runs.values():
        if hasattr(run.s.data, "close"):
            run.s.data.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,2,3,4", help="which targets to measure")
    parser.add_argument(
        "--images", type=int, default=1000, help="images timed per throughput round"
    )
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds")
    args = parser.parse_args()
    only = set(args.only.split(","))
    print(f"{os.cpu_count()} cores; JPEG decoder: {faster_decoder()}")
    if "1" in only:
        throughput(args.images, args.rounds)
        cpu_cost(min(args.images, 256), args.rounds)
    if "2" in only:
        memory()
    if "3" in only:
        first_batch()
    if "4" in only:
        input_bound(25, max(10, 5 * args.rounds))


if __name__ == "__main__":
    main()
