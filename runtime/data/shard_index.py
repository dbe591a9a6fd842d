"""The sample index of one WebDataset shard: [offset, size, label text] of every image, cached.

A local shard is keyed by its size and time, a remote one by its ETag, Last-Modified and length
(a server that gives none of these is indexed again each time)."""

from __future__ import annotations

import tarfile
from typing import IO, Any

from runtime.data.cache import cache_key, read_cached, write_cached
from runtime.data.errors import DataError
from runtime.data.shard_http import open_stream, version
from runtime.data.shard_location import ShardLocation

IMAGE_KEYS = ("jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "ppm")
LABEL_KEYS = ("cls", "label", "class", "txt")
LABEL_BYTES = 256
"""Label files larger than this are not labels."""


def split_name(member: str) -> tuple[str, str]:
    """(sample key, extension) the WebDataset way: the extension starts at the first dot of the
    base name."""
    folder, _, base = member.rpartition("/")
    stem, _, ext = base.partition(".")
    return (f"{folder}/{stem}" if folder else stem), ext.lower()


def index_tar(stream: IO[bytes], where: str) -> list[list[Any]]:
    """Read a tar stream once, front to back, and list its samples that hold an image."""
    samples: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                name, ext = split_name(member.name)
                if name not in samples:
                    samples[name] = {}
                    order.append(name)
                if ext in IMAGE_KEYS:
                    samples[name]["image"] = (member.offset_data, member.size)
                elif ext in LABEL_KEYS and member.size <= LABEL_BYTES:
                    text = tar.extractfile(member).read()
                    samples[name]["label"] = text.decode("utf-8", "replace").strip()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataError(where, f"is not a readable tar shard ({exc})") from None
    rows = [[*s["image"], s.get("label", "")] for s in (samples[n] for n in order) if "image" in s]
    missing = [n for n in order if "image" in samples[n] and not samples[n].get("label")]
    if missing:
        raise DataError(
            where, f"sample '{missing[0]}' has an image but no label (.cls, .label or .txt)"
        )
    return rows


def index_shard(shard: ShardLocation) -> list[list[Any]]:
    """The samples of one shard, from the cache when the shard has not changed."""
    if shard.remote:
        tag = version(shard.url)
        key = cache_key("remote-shard", 1, shard.url, *tag) if any(tag) else ""
    else:
        path = shard.path
        if path is None or not path.is_file():
            exists = path is not None and path.exists()
            raise DataError(shard.name, "is not a file" if exists else "does not exist")
        stat = path.stat()
        key = cache_key("shard", 2, str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    cached = read_cached("shards", key) if key else None
    if isinstance(cached, list):
        return cached
    if shard.remote:
        with open_stream(shard.url) as stream:
            rows = index_tar(stream, shard.name)
    else:
        try:
            with open(shard.path, "rb") as stream:
                rows = index_tar(stream, shard.name)
        except OSError as exc:
            raise DataError(shard.name, f"cannot be read ({exc.strerror or exc})") from None
    if key:
        write_cached("shards", key, rows)
    return rows
