"""The whole-network figures a run records and a diff compares."""

from __future__ import annotations

from runtime.analysis import Analysis, analyze
from runtime.project import Project


def receptive_field(result: Analysis) -> int | None:
    """The largest receptive field of a spatial (not yet global) feature, in input pixels."""
    local = [f.rf for f in result.nodes.values() if not f.rf_global]
    return max(local) if local else None


def network_figures(project: Project) -> tuple[int | None, int | None, int | None]:
    """Parameters, multiply-adds and receptive field; None each when the graph cannot be
    analysed."""
    result = analyze(project)
    if result.problems:
        return None, None, None
    return result.params, result.macs, receptive_field(result)
