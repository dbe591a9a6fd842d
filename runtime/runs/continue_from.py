"""Continue from a run: copy its trained tensors into every node whose name and shapes are
unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch

from runtime.format import shape_text
from runtime.project import Project
from runtime.runs.errors import RunError
from runtime.runs.record import read_record
from runtime.weights.files import read_state_dict
from runtime.weights.project_weights import attach_weights, network_shapes
from runtime.training.checkpoint import read_checkpoint


@dataclass
class ContinueReport:
    """Which nodes got the run's tensors; `state` holds exactly the tensors copied (network key
    names)."""

    run: str
    copied: list[str] = field(default_factory=list)
    partly: dict[str, list[str]] = field(default_factory=dict)
    not_copied: dict[str, str] = field(default_factory=dict)
    state: dict[str, torch.Tensor] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """One line per node: copied, partly copied (which tensors) or not copied (why)."""
        out = [
            f"from run '{self.run}': {len(self.state)} tensors copied "
            f"into {len(self.copied)} node(s)"
        ]
        out += [f"  copied      {name}" for name in self.copied]
        out += [
            f"  partly      {name}: only {', '.join(keys)}" for name, keys in self.partly.items()
        ]
        out += [f"  not copied  {name}: {why}" for name, why in self.not_copied.items()]
        return out


def run_weights_file(folder: str | Path, checkpoint: str = "best") -> Path:
    """The weight file of a run's `best` (or `last`) checkpoint; the other one when it is
    missing."""
    folder = Path(folder)
    for stem in (checkpoint, "last" if checkpoint == "best" else "best"):
        if (folder / f"{stem}.json").is_file():  # the JSON names its (uniquely named) weights file
            path = folder / read_checkpoint(folder / f"{stem}.json")["weights"]
        else:
            path = folder / f"{stem}.safetensors"
        if path.is_file():
            return path
    raise RunError(folder, "has no trained weights (the run saved no checkpoint)")


def match_run(project: Project, folder: str | Path, checkpoint: str = "best") -> ContinueReport:
    """Compare the project's network with a run's weights tensor by tensor; copies nothing yet."""
    record = read_record(folder)
    source = read_state_dict(run_weights_file(folder, checkpoint))
    report = ContinueReport(record.name)
    by_node: dict[str, list[str]] = {}
    for key in network_shapes(project):
        by_node.setdefault(key.split(".", 1)[0], []).append(key)
    shapes = network_shapes(project)
    for node, keys in by_node.items():
        same = [k for k in keys if k in source and tuple(source[k].shape) == shapes[k]]
        report.state.update({k: source[k] for k in same})
        if len(same) == len(keys):
            report.copied.append(node)
        elif same:
            report.partly[node] = [k.split(".", 1)[1] for k in same]
        else:
            report.not_copied[node] = _why(keys, source, shapes)
    return report


def _why(
    keys: list[str], source: dict[str, torch.Tensor], shapes: dict[str, tuple[int, ...]]
) -> str:
    """Why none of a node's tensors could be copied."""
    if not any(k in source for k in keys):
        return "new node (not in the run)"
    key = next(k for k in keys if k in source)
    return (
        f"{key.split('.', 1)[1]} shape changed {shape_text(tuple(source[key].shape))} → "
        f"{shape_text(shapes[key])}"
    )


def continue_from_run(
    project: Project, folder: str | Path, project_file: str | Path, checkpoint: str = "best"
) -> ContinueReport:
    """Copy the run's unchanged tensors into the project: they become its weights next to
    `project_file`
    (training and export start from them)."""
    report = match_run(project, folder, checkpoint)
    if not report.state:
        raise RunError(
            folder, "no tensor matches the current network by name and shape: nothing to copy"
        )
    attach_weights(project, report.state, project_file, f"run {read_record(folder).id}")
    return report
