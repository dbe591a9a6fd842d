"""Whether the window can open: Qt aborts the process when it finds no display, so look first."""

from __future__ import annotations

import ctypes.util
import os
import re
import socket
import sys
from typing import Mapping

XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
}
"""Libraries Qt's xcb plugin loads (library name → Debian/Ubuntu package)."""
HEADLESS_HINT = "the commands summary, export and train need no display"


def display_problem(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Why Qt would find no usable display here (one sentence), or None when it should find one."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if chosen and chosen not in ("xcb", "wayland", "wayland-egl"):
        return None  # offscreen, vnc, eglfs…: the user picked a platform that needs no X or Wayland
    display, wayland = environ.get("DISPLAY", ""), environ.get("WAYLAND_DISPLAY", "")
    if not display and not wayland:
        return (
            "no display found (DISPLAY and WAYLAND_DISPLAY are not set): "
            "start ConvStudio in a desktop "
            "session, or run an X server and set DISPLAY (e.g. `Xvfb :1 & export DISPLAY=:1`); "
            + HEADLESS_HINT
        )
    if wayland or chosen.startswith("wayland"):
        return None
    if not _x_server_answers(display):
        return (
            f"no X server answers on DISPLAY={display}: "
            f"start one there (or `Xvfb {_local(display)} &`), "
            f"or set DISPLAY to a running one; " + HEADLESS_HINT
        )
    missing = [
        package for lib, package in XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None
    ]
    if missing:
        return (
            f"Qt's xcb platform plugin needs system libraries that are missing: install them "
            f"(Debian/Ubuntu: `apt-get install {' '.join(missing)}`); " + HEADLESS_HINT
        )
    return None


def _local(display: str) -> str:
    match = re.search(r":(\d+)", display)
    return f":{match.group(1)}" if match else ":1"


def _x_server_answers(display: str, timeout: float = 2.0) -> bool:
    """True when something accepts a connection where DISPLAY points (unix socket or TCP)."""
    match = re.fullmatch(r"(?:(unix)|([^:]*))?:(\d+)(?:\.\d+)?", display.strip())
    if not match:
        return True  # a form we do not parse (e.g. launchd paths): let Qt judge
    host, number = match.group(2) or "", int(match.group(3))
    if host and host != "localhost":
        try:
            with socket.create_connection((host, 6000 + number), timeout=timeout):
                return True
        except OSError:
            return False
    path = f"/tmp/.X11-unix/X{number}"
    for address in (path, "\0" + path):  # the filesystem socket, then Linux's abstract one
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            try:
                sock.connect(address)
                return True
            except OSError:
                continue
    return host == "localhost" and _tcp_answers(number, timeout)


def _tcp_answers(number: int, timeout: float) -> bool:
    try:
        with socket.create_connection(("localhost", 6000 + number), timeout=timeout):
            return True
    except OSError:
        return False
