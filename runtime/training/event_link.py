"""The window's link to a torchrun job: rank 0 sends its events to the window's training process,
which sends back a request to stop. An authenticated local connection (multiprocessing)."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

from runtime.errors import ConvStudioError
from runtime.training.control import Control
from runtime.training.events import Event, Finished

ADDRESS_ENV = "CONVSTUDIO_EVENTS"
KEY_ENV = "CONVSTUDIO_EVENTS_KEY"


class EventSender:
    """Rank 0's end: every event goes to the window; a stop request from it reaches `control`."""

    def __init__(self, connection: Connection, control: Control) -> None:
        self.connection = connection
        self.control = control
        threading.Thread(target=self._listen, name="convstudio-stop", daemon=True).start()

    @staticmethod
    def from_environment(control: Control) -> EventSender | None:
        """Connect when the window started this job, else None."""
        address = os.environ.get(ADDRESS_ENV)
        if not address:
            return None
        host, port = address.rsplit(":", 1)
        key = bytes.fromhex(os.environ[KEY_ENV])
        return EventSender(Client((host, int(port)), authkey=key), control)

    def _listen(self) -> None:
        with contextlib.suppress(EOFError, OSError):
            while True:
                if self.connection.recv() == "stop":
                    self.control.request_stop()

    def send(self, event: Event) -> None:
        """Pass one event on (the window may be gone: then nothing is sent)."""
        with contextlib.suppress(OSError, ValueError):
            self.connection.send(event)

    def close(self) -> None:
        """End the link."""
        with contextlib.suppress(OSError):
            self.connection.close()


def forwarded_events(
    processes: int,
    doc: dict[str, Any],
    out_dir: str,
    stop: Any,
    overrides: dict[str, Any],
    resume: str | None,
) -> Iterator[Event]:
    """Train `doc` in `processes` processes under torchrun and yield rank 0's events; `stop` (an
    Event) asks every process to stop at the next exchange of metrics."""
    import json

    from runtime.cli.distributed_launch import Launch, launch

    key = secrets.token_bytes(16)
    listener = Listener(("127.0.0.1", 0), authkey=key)
    folder = tempfile.mkdtemp(prefix="convstudio-job-")
    project_file = Path(folder) / "project.json"
    project_file.write_text(json.dumps(doc), encoding="utf-8")
    args = ["train", str(project_file), "--out", out_dir, "--no-record", "--overwrite"]
    for flag in ("epochs", "device"):
        if overrides.get(flag) is not None:
            args += [f"--{flag}", str(overrides[flag])]
    if resume:
        args += ["--resume", resume]
    outcome: dict[str, Any] = {}
    connected = threading.Event()

    def run() -> None:
        try:
            outcome["code"] = launch(Launch(processes), args)
        except ConvStudioError as exc:
            outcome["error"] = str(exc)
        finally:
            if not connected.is_set():  # wake accept(): rank 0 never connected
                with contextlib.suppress(OSError, EOFError):
                    Client(listener.address, authkey=key).close()

    address = listener.address
    os.environ[ADDRESS_ENV] = f"{address[0]}:{address[1]}"
    os.environ[KEY_ENV] = key.hex()
    job = threading.Thread(target=run, name="convstudio-torchrun", daemon=True)
    job.start()
    finished = False
    try:
        connection = listener.accept()
        connected.set()
        asked = False
        while True:
            if stop.is_set() and not asked:
                with contextlib.suppress(OSError):
                    connection.send("stop")
                asked = True
            try:
                if not connection.poll(0.05):
                    if not job.is_alive() and not connection.poll(0.2):
                        break
                    continue
                event = connection.recv()
            except (EOFError, OSError):
                break
            finished = finished or isinstance(event, Finished)
            yield event
        job.join(timeout=30)
    finally:
        listener.close()
        os.environ.pop(ADDRESS_ENV, None)
        os.environ.pop(KEY_ENV, None)
    if not finished:
        why = outcome.get("error") or f"the processes ended with code {outcome.get('code')}"
        yield Finished("failed", why, 0, 0)
