"""Entry point of the training process a window starts (multiprocessing 'spawn'): events go back on
a queue."""

from __future__ import annotations

import traceback
from typing import Any

from runtime.errors import ConvStudioError
from runtime.project import project_from_dict
from runtime.runs.recorder import RunRecorder, record_run
from runtime.training.control import Control
from runtime.training.event_link import forwarded_events
from runtime.training.events import Finished, HeadFix
from runtime.training.fit_checks import HeadMismatchError
from runtime.training.loop import train


def run_training(
    doc: dict[str, Any],
    path: str | None,
    out_dir: str | None,
    stop: Any,
    pause: Any,
    probe: Any,
    events: Any,
    overrides: dict[str, Any],
    record: bool = False,
    resume: str | None = None,
) -> None:
    """Train the project document and put every event on `events`; never raises.

    With `record`, `out_dir` is a run folder made by runtime.runs and the run is recorded in it."""
    step = 0
    try:
        project = project_from_dict(doc, path)
        processes = int(overrides.pop("processes", 1) or 1)
        if processes > 1 and out_dir is not None:  # torchrun on this machine; rank 0 reports
            overrides.pop("threads", None)
            stream = forwarded_events(processes, doc, out_dir, stop, overrides, resume)
        else:
            stream = train(project, Control(stop, pause, probe), out_dir, resume, **overrides)
        if record and out_dir is not None:
            stream = record_run(stream, RunRecorder.for_folder(out_dir))
        for event in stream:
            step = getattr(event, "step", step)
            events.put(event)
    except HeadMismatchError as exc:
        fix = (
            HeadFix(exc.node_id, exc.node_name, exc.head_classes, exc.data_classes)
            if exc.fixable
            else None
        )
        events.put(Finished("failed", str(exc), step, 0, head_fix=fix))
    except ConvStudioError as exc:
        events.put(Finished("failed", str(exc), step, 0))
    except MemoryError:
        events.put(
            Finished("failed", "out of memory: try a smaller batch size or network", step, 0)
        )
    except Exception as exc:  # noqa: BLE001 - the process must report any crash to the window, then end
        detail = traceback.format_exc(limit=3)
        events.put(
            Finished("failed", f"training crashed: {type(exc).__name__}: {exc}\n{detail}", step, 0)
        )
