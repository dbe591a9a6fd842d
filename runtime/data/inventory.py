"""An inventory of a data set: classes and counts, image sizes, and the files that cannot be
read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


from runtime.data.decode import MAX_PIXELS, BadImage, open_image, short_reason
from runtime.data.index import Progress
from runtime.data.settings import DataSettings
from runtime.data.split import class_counts, held_out_text

Header = Callable[[int], tuple[int, int, str]]


@dataclass
class Inventory:
    """What a data set holds."""

    name: str
    source: str
    layout: str
    classes: tuple[str, ...]
    train_counts: list[int]
    val_counts: list[int]
    sizes: list[tuple[int, int]] = field(default_factory=list)
    modes: dict[str, int] = field(default_factory=dict)
    corrupt: list[tuple[str, str]] = field(default_factory=list)

    def size_summary(self) -> dict[str, list[int]]:
        """Smallest, median and largest (w, h) by area."""
        if not self.sizes:
            return {}
        ordered = sorted(self.sizes, key=lambda s: (s[0] * s[1], s))
        return {
            "min": list(ordered[0]),
            "median": list(ordered[len(ordered) // 2]),
            "max": list(ordered[-1]),
        }

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "name": self.name,
            "source": self.source,
            "validation": self.layout,
            "images": sum(self.train_counts) + sum(self.val_counts),
            "classes": [
                {"name": c, "train": t, "val": v}
                for c, t, v in zip(self.classes, self.train_counts, self.val_counts)
            ],
            "sizes": self.size_summary(),
            "modes": self.modes,
            "corrupt": [{"file": f, "problem": p} for f, p in self.corrupt],
        }


def take_inventory(
    settings: DataSettings,
    channels: int = 3,
    verify: bool = False,
    progress: Progress | None = None,
) -> Inventory:
    """Count every class and read every image's header (`verify`: decode every image fully)."""
    if not settings.lazy:
        from runtime.data.source import load_images
        from runtime.data.split import split

        data = load_images(settings, channels)
        train, val = split(data, settings.validation, settings.split_seed)
        k = len(data.classes)
        c, h, w = data.shape
        layout = held_out_text(settings.validation)
        return Inventory(
            data.name,
            settings.source,
            layout,
            data.classes,
            class_counts(train.labels, k),
            class_counts(val.labels, k),
            [(w, h)] * len(data),
            {"L" if c == 1 else "RGB": len(data)},
        )
    from runtime.data.splits import open_splits

    splits = open_splits(settings, progress)
    k = len(splits.classes)
    inv = Inventory(
        splits.name,
        settings.source,
        splits.layout,
        splits.classes,
        class_counts(splits.train.labels, k),
        class_counts(splits.val.labels, k),
    )
    modes: dict[str, int] = {}
    total, done = len(splits.train) + len(splits.val), 0
    for reader in (splits.train, splits.val):
        for i in range(len(reader)):
            try:
                w, h, mode = _header(reader.load(i), verify, reader.describe(i))
                inv.sizes.append((w, h))
                modes[mode] = modes.get(mode, 0) + 1
            except BadImage as exc:
                inv.corrupt.append((reader.describe(i), exc.message))
            done += 1
            if progress is not None and done % 200 == 0:
                progress(done, f"reading image headers ({done:,} of {total:,})")
    inv.modes = modes
    return inv


def _header(source: Any, verify: bool, where: str) -> tuple[int, int, str]:
    """(w, h, mode) of one image, from its header unless `verify`."""
    import io

    from PIL import Image

    if isinstance(source, Image.Image):
        return source.size[0], source.size[1], source.mode
    if verify:
        img, size = open_image(source, "RGB", where=where)
        return size[0], size[1], img.mode
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as img:
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise BadImage(where, f"is {w}×{h} pixels, too large to decode")
            return w, h, img.mode
    except BadImage:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise BadImage(where, f"is not a readable image ({short_reason(exc)})") from None
