"""Data sets: bundled digits, generated coloured shapes, image folders, IDX and CIFAR-10 files."""
from runtime.data.dataset import ImageSet
from runtime.data.device import DeviceData
from runtime.data.errors import DataError
from runtime.data.preview import Preview, preview_grid
from runtime.data.settings import Augment, DataSettings, default_data, parse_data
from runtime.data.source import check_fits, load_images
from runtime.data.split import channel_stats, split

__all__ = ["Augment", "DataError", "DataSettings", "DeviceData", "ImageSet", "Preview", "channel_stats",
           "check_fits", "default_data", "load_images", "parse_data", "preview_grid", "split"]
