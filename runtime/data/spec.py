"""A data SPEC typed on the command line (folder, CSV file, shard pattern, hf:NAME …) as a data
section."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any, Mapping

from runtime.bounded_read import describe_kind
from runtime.data.errors import DataError
from runtime.data.shard_location import url_scheme

SOURCE_KEYS = (
    "source",
    "path",
    "images",
    "labels",
    "dataset",
    "shards",
    "val_shards",
    "samples",
    "image_column",
    "label_column",
)
"""Keys that name where the data is; replaced as a whole when a SPEC overrides the project's
data."""
IN_MEMORY_NAMES = ("mnist", "digits", "shapes")
HF_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")


def _is_hf_folder(path: Path) -> bool:
    """A folder written by save_to_disk, or one holding only parquet/arrow files."""
    if any((path / m).is_file() for m in HF_MARKERS):
        return True
    files = [p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")]
    return bool(files) and all(p.suffix in (".parquet", ".arrow") for p in files)


def section_from_spec(spec: str) -> dict[str, Any]:
    """The source keys a SPEC stands for; DataError when it names nothing usable."""
    if not spec:
        raise DataError(None, "the data SPEC is empty")
    if spec.startswith("hf:"):
        return {"source": "hf", "dataset": spec[3:]}
    if spec in IN_MEMORY_NAMES:
        return {"source": spec}
    if url_scheme(spec) or ".tar" in spec.lower():
        return {"source": "webdataset", "shards": spec}
    path = Path(spec).expanduser()
    if not path.exists():
        raise DataError(
            path,
            "does not exist (expected a folder, a CSV/TSV file, .tar shards, "
            "hf:NAME, or mnist, digits or shapes)",
        )
    mode = path.stat().st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise DataError(
            path,
            f"is {describe_kind(mode)}, not a data set (expected a folder, a CSV/TSV file, "
            ".tar shards, hf:NAME, or mnist, digits or shapes)",
        )
    if stat.S_ISREG(mode):
        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv"):
            return {"source": "csv", "path": str(path)}
        if suffix in (".parquet", ".arrow"):
            return {"source": "hf", "path": str(path)}
        if suffix == ".bin":
            return {"source": "cifar10", "path": str(path)}
        raise DataError(
            path, "is not a CSV/TSV label file, parquet/arrow file, shard or CIFAR-10 batch"
        )
    if _is_hf_folder(path):
        return {"source": "hf", "path": str(path)}
    if any(path.glob("data_batch_*.bin")):
        return {"source": "cifar10", "path": str(path)}
    return {"source": "folder", "path": str(path)}


def apply_spec(data: Mapping[str, Any], spec: str) -> dict[str, Any]:
    """The project's data section with its source replaced by SPEC (preprocessing and split
    kept)."""
    kept = {k: v for k, v in data.items() if k not in SOURCE_KEYS}
    return {**kept, **section_from_spec(spec)}
