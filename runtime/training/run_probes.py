"""The probes of a running network: feature maps, filters, histograms and health, every
`probe_seconds` (or less often when that would let them take more than PROBE_SHARE of the run)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from runtime.training.events import Event
from runtime.training.health import HEALTH_EVERY
from runtime.training.probes import feature_maps, filters, first_conv, histograms
from runtime.training.run_state import RunState


PROBE_SHARE = 0.05
"""The most of the run's time the probes may take: the next ones wait at least (their cost ÷ this
share), so that a network slow to probe (a U-Net on a CPU) does not train a third slower."""


class RunProbes(RunState):
    """The probes of a run, taken between iterations."""

    def probe_events(self, now: float) -> Iterator[Event]:
        """Feature maps and filters (and histograms every fourth time); the next ones in
        `probe_seconds`, or later when these took more than PROBE_SHARE of that."""
        start = time.perf_counter()
        layer = self.control.probe_layer()
        if layer not in self.s.layer_names and layer != self.s.input_name:
            conv = first_conv(self.s.model)
            layer = conv[0].split(".")[0] if conv else self.s.layer_names[0]
        found = [
            feature_maps(self.s.model, self.probe_x, layer, self.s.input_name, self.step),
            filters(self.s.model, self.step),
            histograms(self.s.model, self.step) if self.probes % 4 == 0 else None,
            self.health.take(self.step, self.s.model, self.health_x),
        ]
        if self.probes % HEALTH_EVERY == 0:
            self.health.arm()
        self.probes += 1
        spent = time.perf_counter() - start  # what the consumer does with them is not counted
        self.next_probe = now + max(self.s.settings.probe_seconds, spent / PROBE_SHARE)
        yield from (event for event in found if event is not None)
