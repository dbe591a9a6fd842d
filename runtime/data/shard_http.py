"""Remote WebDataset shards over http(s): one streaming pass to index them, then byte ranges.

Samples are read by (offset, size) like local shards, so remote data shuffles, splits and resumes
the same way; the server must answer byte-range requests (S3, GCS, nginx and the Hugging Face hub
do). Nothing is run: WebDataset's own opener pipes URLs through curl, this one uses urllib."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from typing import IO, Any

from runtime.data.errors import DataError

TIMEOUT_S = 30.0
"""Seconds a server may take to answer before the shard counts as unreachable."""
AGENT = "convstudio"


def _why(exc: BaseException) -> str:
    """A short reason for a failed request."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"answered HTTP {exc.code} ({exc.reason})"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"did not answer within {TIMEOUT_S:.0f} s"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot be reached ({exc.reason})"
    return f"cannot be reached ({exc})"


def _request(url: str, method: str = "GET", byte_range: tuple[int, int] | None = None) -> Any:
    """An open response; OSError (urllib's errors) when the server cannot be reached."""
    headers = {"User-Agent": AGENT}
    if byte_range is not None:
        start, size = byte_range
        headers["Range"] = f"bytes={start}-{start + size - 1}"
    req = urllib.request.Request(url, headers=headers, method=method)
    return urllib.request.urlopen(req, timeout=TIMEOUT_S)  # noqa: S310 - scheme checked: http(s)


def version(url: str) -> tuple[str, str, str]:
    """(ETag, Last-Modified, Content-Length) of a remote shard: its cache key."""
    try:
        with _request(url, "HEAD") as resp:
            h = resp.headers
            return h.get("ETag", ""), h.get("Last-Modified", ""), h.get("Content-Length", "")
    except urllib.error.HTTPError as exc:
        if exc.code in (405, 501):  # HEAD not offered: no version, the index is not cached
            return "", "", ""
        raise DataError(url, _why(exc)) from None
    except OSError as exc:
        raise DataError(url, _why(exc)) from None


def open_stream(url: str) -> IO[bytes]:
    """The shard's bytes as a stream; DataError when it cannot be fetched."""
    try:
        return _request(url)
    except OSError as exc:
        raise DataError(url, _why(exc)) from None


def read_range(url: str, offset: int, size: int) -> bytes:
    """`size` bytes from `offset`; OSError when the server fails or ignores the range."""
    with _request(url, byte_range=(offset, size)) as resp:
        if resp.status != 206:
            raise OSError(f"{url} ignores byte-range requests (HTTP {resp.status})")
        data = resp.read(size + 1)
    if len(data) != size:
        raise OSError(f"{url} sent {len(data)} bytes for a {size}-byte sample")
    return data


def check_ranges(url: str, offset: int, size: int) -> None:
    """DataError unless the server answers a byte-range request for one sample."""
    try:
        read_range(url, offset, size)
    except urllib.error.HTTPError as exc:
        raise DataError(url, _why(exc)) from None
    except OSError as exc:
        if "byte-range" in str(exc):
            raise DataError(
                url,
                "the server does not answer byte-range requests, which reading samples in any "
                "order needs: download the shards and name the local files",
            ) from None
        raise DataError(url, _why(exc)) from None
