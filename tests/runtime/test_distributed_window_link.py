"""The window's training process runs a torchrun job and passes rank 0's events on."""

from __future__ import annotations

import queue
import threading

import pytest

from runtime.training.events import Finished, Started, StepMetrics
from runtime.training.worker import run_training
from tests.runtime.distributed_helpers import lenet_project


@pytest.mark.distributed
def test_two_processes_report_to_the_window_and_stop_when_asked(tmp_path):
    project = lenet_project(batch_size=16, epochs=1)
    events: queue.Queue = queue.Queue()
    stop, pause = threading.Event(), threading.Event()
    overrides = {"processes": 2, "threads": 1}
    run_training(project.to_dict(), None, str(tmp_path), stop, pause, None, events, overrides)
    seen = []
    while not events.empty():
        seen.append(events.get())
    started = next(e for e in seen if isinstance(e, Started))
    assert started.processes == 2 and started.global_batch == 32
    steps = [e for e in seen if isinstance(e, StepMetrics)]
    assert steps and all(len(s.rank_samples_per_s) == 2 for s in steps)
    assert all(abs(sum(s.rank_samples_per_s) - s.samples_per_s) < 1e-6 for s in steps)
    finished = seen[-1]
    assert isinstance(finished, Finished) and finished.status == "completed", finished
    assert (tmp_path / "last.json").exists()
