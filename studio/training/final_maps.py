"""Feature maps from a finished run's final weights, for whichever layer is selected afterwards.

While a run trains, the training process sends the selected layer's maps. Once it has ended no
process is left to ask, so the window builds the trained network itself (once, off the UI thread)
and runs the run's probe image through it for each newly selected layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from blocks.lazy import lazy
from runtime.errors import ConvStudioError
from runtime.project import Project
from runtime.training.events import FeatureMaps
from studio.insight.worker import InsightWorker

probes = lazy("runtime.training.probes")
torch = lazy("torch")

plan = lazy("runtime.plan")

session_module = lazy("runtime.insight.session")


if TYPE_CHECKING:
    from runtime.compile import CompiledNetwork
compile_module = lazy("runtime.compile")


class LayerNotTrainedError(ConvStudioError):
    """The selected node was not part of the network the finished run trained."""


@dataclass(frozen=True)
class FinishedRun:
    """What a finished run leaves for the final maps: its project, weights and probe image."""

    project: Project
    checkpoint: str
    probe: np.ndarray
    step: int


class FinalMaps(QObject):
    """Computes feature maps of a finished run's network; `shown(maps)` or `failed(line)` follow."""

    shown = Signal(object)
    """A FeatureMaps computed from the final weights."""
    failed = Signal(str)
    """Why the maps of a layer cannot be shown (one line)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run: FinishedRun | None = None
        self._model: tuple[CompiledNetwork, str] | None = None
        self.worker = InsightWorker(self)
        self.worker.done.connect(lambda _kind, maps: self.shown.emit(maps))
        self.worker.failed.connect(lambda _kind, line: self.failed.emit(line))

    def arm(self, run: FinishedRun) -> None:
        """A run finished with weights: later selections show maps from them."""
        self.run, self._model = run, None

    def disarm(self) -> None:
        """A new run started, or another project was opened: the old weights are no longer shown."""
        self.run, self._model = None, None

    def request(self, layer: str) -> bool:
        """Compute `layer`'s maps in the background; False when no finished run is armed."""
        run = self.run
        if run is None or not layer:
            return False
        self.worker.submit("final_maps", lambda cancelled: self._compute(run, layer, cancelled))
        return True

    def _compute(self, run: FinishedRun, layer: str, cancelled: Callable[[], bool]) -> FeatureMaps:
        model, input_name = self._network(run)
        if layer != input_name and layer not in dict(model.named_children()):
            raise LayerNotTrainedError(
                f"'{layer}' was not part of the trained network: train again to see its maps"
            )
        probe = torch.from_numpy(np.ascontiguousarray(run.probe, dtype=np.float32))[None]
        return probes.feature_maps(model, probe, layer, input_name, run.step)

    def _network(self, run: FinishedRun) -> tuple[CompiledNetwork, str]:
        model = self._model
        if model is None or self.run is not run:
            net = compile_module.build_model(run.project)
            session_module.load_network_weights(run.project, net, run.checkpoint)
            model = (net.eval(), plan.make_plan(run.project).input_name)
            if self.run is run:
                self._model = model
        return model

    def shutdown(self) -> None:
        """Stop the background thread (window closing)."""
        self.worker.shutdown()
