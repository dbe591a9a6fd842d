"""Data sets: bundled digits, generated shapes, IDX and CIFAR-10 files held in memory; image
folders, CSV label files, Hugging Face data sets and WebDataset shards read lazily by worker
processes."""

from runtime.data.dataset import ImageSet
from runtime.data.device import DeviceData
from runtime.data.errors import DataError
from runtime.data.preview import Preview, preview_grid
from runtime.data.settings import Augment, DataSettings, default_data, parse_data
from runtime.data.source import check_fits, load_images, open_data
from runtime.data.split import channel_stats, split
from runtime.data.stream import StreamData

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
