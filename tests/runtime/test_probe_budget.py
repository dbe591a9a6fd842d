"""Probes wait longer than probe_seconds when they are slow: they never take more than
PROBE_SHARE of a run."""

import time

import runtime.training.run_probes as run_probes
from runtime.training import train
from runtime.training.control import Control
from runtime.training.events import FeatureMaps
from tests.runtime.training_helpers import tiny_project

SLOW = 0.02
"""Seconds every (made slow) feature-map probe takes."""


def test_slow_probes_are_spaced_to_keep_their_share(monkeypatch):
    real = run_probes.feature_maps

    def slow_feature_maps(*args, **kwargs):
        time.sleep(SLOW)
        return real(*args, **kwargs)

    monkeypatch.setattr(run_probes, "feature_maps", slow_feature_maps)
    # long enough for several probes on a loaded machine; stopped once three have come
    project = tiny_project(epochs=60, batch_size=8, probe_seconds=0.05)
    control = Control()
    probes = 0
    start = time.perf_counter()
    for event in train(project, control):
        if isinstance(event, FeatureMaps):
            probes += 1
            if probes == 3:
                control.request_stop()
    elapsed = time.perf_counter() - start
    gap = SLOW / run_probes.PROBE_SHARE  # at least this long between two probes
    assert probes >= 2, "the run was too short to probe twice"
    assert probes <= 1 + elapsed / gap, (probes, elapsed)
    assert gap > 4 * project.training["probe_seconds"]  # so probe_seconds alone would fail
