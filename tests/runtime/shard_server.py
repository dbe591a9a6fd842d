"""A local http.server thread serving a folder, with byte ranges as real file servers answer
them (Python's own handler ignores the Range header)."""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_RANGE = re.compile(r"bytes=(\d+)-(\d+)$")


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; a 'Range: bytes=a-b' request gets 206 and those bytes, unless ranges are
    off."""

    ranges = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass

    def do_GET(self) -> None:
        match = _RANGE.match(self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not (self.ranges and match and path.is_file()):
            return super().do_GET()
        start, end = int(match.group(1)), int(match.group(2))
        with open(path, "rb") as f:
            f.seek(start)
            body = f.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{end}/{os.path.getsize(path)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(folder: Path, ranges: bool = True) -> Iterator[str]:
    """Serve `folder` on a free local port for the block; yields the base URL."""
    handler = type("Handler", (RangeHandler,), {"ranges": ranges})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
