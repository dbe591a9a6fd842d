"""Turn live layer health into warnings: a layer that is dead, exploding or saturated, and since
when."""

from __future__ import annotations

import math
from dataclasses import dataclass

from runtime.training.events import Health, LayerHealth

DEAD = 0.9
"""A layer whose ReLU outputs are zero at least this often is dead."""
SATURATED = 0.9
"""A layer whose bounded activations sit at a bound at least this often is saturated."""
EXPLODING_RATIO = 0.1
"""An update moving a layer's weights by this share of their size in one step is exploding
(healthy: ~1e-3)."""
EXPLODING_GRAD = 1e4

MEASURES = ("grad_norm", "update_ratio", "dead_fraction", "saturation")
"""What the canvas can shade nodes by."""
TITLES = {
    "grad_norm": "Gradient norm",
    "update_ratio": "Update / weight ratio",
    "dead_fraction": "Dead-ReLU fraction",
    "saturation": "Activation saturation",
}


@dataclass(frozen=True)
class HealthIssue:
    """One layer in trouble: what is wrong, since which iteration, in one line."""

    layer: str
    kind: str
    since: int
    message: str


def _problem(figures: LayerHealth) -> tuple[str, str] | None:
    """(kind, description) of a layer's worst problem at one reading, or None."""
    if not math.isnan(figures.grad_norm) and (
        not math.isfinite(figures.grad_norm) or figures.grad_norm > EXPLODING_GRAD
    ):
        return "exploding", f"gradient norm {figures.grad_norm:.3g}"
    if not math.isnan(figures.update_ratio) and figures.update_ratio > EXPLODING_RATIO:
        return (
            "exploding",
            f"each update moves its weights by {figures.update_ratio:.0%} of their size",
        )
    if not math.isnan(figures.dead_fraction) and figures.dead_fraction >= DEAD:
        return "dead", f"{figures.dead_fraction:.0%} of ReLU outputs are zero"
    if not math.isnan(figures.saturation) and figures.saturation >= SATURATED:
        return "saturated", f"{figures.saturation:.0%} of its activations sit at their bounds"
    return None


class HealthWatch:
    """Follows Health events of one run; `issues` lists the layers in trouble now, with when it
    began."""

    def __init__(self) -> None:
        self.latest: Health | None = None
        self._since: dict[str, tuple[str, int]] = {}
        self.issues: list[HealthIssue] = []

    def reset(self) -> None:
        """A new run: forget everything."""
        self.__init__()

    def update(self, health: Health) -> bool:
        """Read one event; True when the list of issues changed."""
        self.latest = health
        before = [(i.layer, i.kind, i.message) for i in self.issues]
        issues = []
        for layer, figures in health.layers.items():
            found = _problem(figures)
            if found is None:
                self._since.pop(layer, None)
                continue
            kind, text = found
            if self._since.get(layer, ("", 0))[0] != kind:
                self._since[layer] = (kind, health.step)
            since = self._since[layer][1]
            issues.append(
                HealthIssue(layer, kind, since, f"{layer}: {text} since iteration {since:,}")
            )
        self.issues = issues
        return before != [(i.layer, i.kind, i.message) for i in self.issues]

    def values(self, measure: str) -> dict[str, float]:
        """The latest reading of `measure` per layer (layers where it applies)."""
        if self.latest is None:
            return {}
        found = {name: getattr(f, measure) for name, f in self.latest.layers.items()}
        return {k: v for k, v in found.items() if not math.isnan(v)}


def shade_levels(values: dict[str, float], measure: str) -> dict[str, float]:
    """0–1 shading per layer: fractions as they are, norms and ratios on a log scale over the
    layers."""
    if measure in ("dead_fraction", "saturation"):
        return {k: min(1.0, max(0.0, v)) for k, v in values.items()}
    logs = {k: math.log10(v) for k, v in values.items() if v > 0 and math.isfinite(v)}
    shades = {k: 1.0 for k, v in values.items() if not math.isfinite(v)}
    if logs:
        low, high = min(logs.values()), max(logs.values())
        span = high - low
        shades.update({k: (v - low) / span if span > 0 else 1.0 for k, v in logs.items()})
    return shades
