"""Where a WebDataset shard lives: a local file or an http(s) URL; every other scheme is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from runtime.data.errors import DataError

INSTALL = "WebDataset shards need the optional extra: pip install 'convstudio[webdataset]'"
REMOTE_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
"""A URL scheme; two characters at least, so a Windows drive letter ('C:') is not one."""


def url_scheme(text: str) -> str:
    """The scheme a shard name starts with ('http', 'pipe' …), or '' for a plain path."""
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else ""


@dataclass(frozen=True)
class ShardLocation:
    """One shard: `url` for a remote one, else `path`."""

    name: str
    url: str = ""
    path: Path | None = None

    @property
    def remote(self) -> bool:
        """Whether the shard is read over http(s)."""
        return bool(self.url)


def locate(name: str) -> ShardLocation:
    """The location of one shard name; DataError for a scheme that is not a file or http(s).

    A 'pipe:' shard (a shell command, in WebDataset's own opener) is never run."""
    scheme = url_scheme(name)
    if not scheme:
        return ShardLocation(name, path=Path(name))
    if scheme == "file":
        return ShardLocation(name, path=Path(unquote(urlsplit(name).path)))
    if scheme in REMOTE_SCHEMES:
        return ShardLocation(name, url=name)
    why = " (commands are never run)" if scheme == "pipe" else ""
    raise DataError(
        name,
        f"'{scheme}:' shards are not read{why}: name local files or http(s) URLs",
    )


def expand(pattern: str) -> list[ShardLocation]:
    """The shards of a brace pattern ('http://host/train-{000..009}.tar'), each located."""
    try:
        from webdataset.shardlists import expand_urls
    except ImportError:
        raise DataError(None, INSTALL) from None
    if url_scheme(pattern) not in ("", "file", *REMOTE_SCHEMES):
        return [locate(pattern)]  # refused before any expansion
    names = expand_urls(pattern)
    if not names:
        raise DataError(pattern, "names no shards")
    return [locate(n) for n in names]
