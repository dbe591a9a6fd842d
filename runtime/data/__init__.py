"""Data sets: bundled digits, generated shapes, IDX and CIFAR-10 files held in memory; image
folders, CSV label files, Hugging Face data sets and WebDataset shards read lazily by worker
processes.

Names load on first use, so that the window's forms can import the settings without torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blocks.lazy import lazy_exports

# `split` is also the name of a submodule: importing that submodule would rebind the package's
# attribute to the module, so the function is bound here, eagerly (numpy only).
from runtime.data.split import channel_stats, split

__all__ = [
    "Augment",
    "DataError",
    "DataSettings",
    "DeviceData",
    "ImageSet",
    "Preview",
    "StreamData",
    "channel_stats",
    "check_fits",
    "default_data",
    "load_images",
    "open_data",
    "parse_data",
    "preview_grid",
    "split",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "Augment": "runtime.data.settings",
        "DataError": "runtime.data.errors",
        "DataSettings": "runtime.data.settings",
        "DeviceData": "runtime.data.device",
        "ImageSet": "runtime.data.dataset",
        "Preview": "runtime.data.preview",
        "StreamData": "runtime.data.stream",
        "check_fits": "runtime.data.source",
        "default_data": "runtime.data.settings",
        "load_images": "runtime.data.source",
        "open_data": "runtime.data.source",
        "parse_data": "runtime.data.settings",
        "preview_grid": "runtime.data.preview",
    },
)

if TYPE_CHECKING:
    from runtime.data.dataset import ImageSet
    from runtime.data.device import DeviceData
    from runtime.data.errors import DataError
    from runtime.data.preview import Preview, preview_grid
    from runtime.data.settings import Augment, DataSettings, default_data, parse_data
    from runtime.data.source import check_fits, load_images, open_data
    from runtime.data.stream import StreamData
