"""The probes of a running network: feature maps, filters, histograms and health, every
`probe_seconds`."""

from __future__ import annotations

from collections.abc import Iterator

from runtime.training.events import Event
from runtime.training.health import HEALTH_EVERY
from runtime.training.probes import feature_maps, filters, first_conv, histograms
from runtime.training.run_state import RunState


class RunProbes(RunState):
    """The probes of a run, taken between iterations."""

    def probe_events(self, now: float) -> Iterator[Event]:
        """Feature maps and filters (and histograms every fourth time); the next ones in
        `probe_seconds`."""
        self.next_probe = now + self.s.settings.probe_seconds
        layer = self.control.probe_layer()
        if layer not in self.s.layer_names and layer != self.s.input_name:
            conv = first_conv(self.s.model)
            layer = conv[0].split(".")[0] if conv else self.s.layer_names[0]
        yield feature_maps(self.s.model, self.probe_x, layer, self.s.input_name, self.step)
        found = filters(self.s.model, self.step)
        if found is not None:
            yield found
        if self.probes % 4 == 0:
            yield histograms(self.s.model, self.step)
        health = self.health.take(self.step, self.s.model, self.health_x)
        if health is not None:
            yield health
        if self.probes % HEALTH_EVERY == 0:
            self.health.arm()
        self.probes += 1
