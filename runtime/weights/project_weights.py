"""Weights that travel with a project: a safetensors file next to it, referenced from it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import torch
from torch import nn

from runtime.project import Project
from runtime.weights.files import WeightsFileError, read_state_dict, write_safetensors
from runtime.weights.match import MatchReport, match_state_dict

KEY = "weights"
"""Top-level project key:
{"file": name relative to the project file, "source": where they came from}."""
_CACHE: dict[tuple[str, float], dict[str, torch.Tensor]] = {}


def weights_path(project: Project) -> Path | None:
    """The referenced weight file (resolved next to the project file), or None without weights."""
    ref = project.extra.get(KEY)
    if not isinstance(ref, dict) or not isinstance(ref.get("file"), str):
        return None
    path = Path(ref["file"])
    if not path.is_absolute() and project.path is not None:
        path = project.path.parent / path
    return path


def carry_weights(project: Project, target: str | Path) -> None:
    """Before saving to `target`: copy the weight file beside it when it would no longer be found
    there."""
    old = weights_path(project)
    if old is None or not old.is_file() or project.path is None:
        return
    target = Path(target)
    if Path(project.extra[KEY]["file"]).is_absolute():
        return
    if (target.parent / project.extra[KEY]["file"]).resolve() == old.resolve():
        return
    new = sidecar_path(target)
    if new.resolve() != old.resolve():
        new.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(old, new)
    project.extra[KEY] = {**project.extra[KEY], "file": new.name}


def has_weights(project: Project) -> bool:
    """True when the project references a weight file."""
    return weights_path(project) is not None


def network_shapes(project: Project) -> dict[str, tuple[int, ...]]:
    """Every state_dict key of the compiled network with its shape (built on the meta device)."""
    from runtime.compile import CompiledNetwork
    from runtime.plan import make_plan

    with torch.device("meta"):
        model = CompiledNetwork(make_plan(project))
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def sidecar_path(project_file: str | Path) -> Path:
    """Where a project's weights live: `<project stem>.weights.safetensors` next to it."""
    project_file = Path(project_file)
    return project_file.with_name(project_file.stem + ".weights.safetensors")


def attach_weights(
    project: Project, state: dict[str, torch.Tensor], project_file: str | Path, source: str = ""
) -> Path:
    """Write `state` (network key names) next to `project_file` and reference it from the
    project."""
    target = sidecar_path(project_file)
    write_safetensors(target, state)
    ref: dict[str, Any] = {"file": target.name}
    if source:
        ref["source"] = source
    project.extra[KEY] = ref
    return target


def load_weights_into(
    project: Project, weights_file: str | Path, project_file: str | Path
) -> MatchReport:
    """Match a weight file against the project and keep the matched tensors with it."""
    source = read_state_dict(weights_file)
    key_map = (
        project.extra.get("import", {}).get("key_map")
        if isinstance(project.extra.get("import"), dict)
        else None
    )
    shapes = network_shapes(project)
    report = match_state_dict(source, shapes, key_map)
    if not report.matched:
        raise WeightsFileError(
            weights_file,
            f"no key matches the network ({len(source)} tensors in the file, "
            f"first '{next(iter(source), '')}'; the network's first is "
            f"'{next(iter(shapes), '')}')",
        )
    attach_weights(
        project,
        {k: source[v] for k, v in report.matched.items()},
        project_file,
        Path(weights_file).name,
    )
    for node in project.graph.nodes.values():  # freshly loaded weights apply everywhere they fit
        if node.extra.get("reinitialise"):
            project.graph.set_extra(node.id, "reinitialise", None)
    return report


def referenced_state(project: Project) -> dict[str, torch.Tensor] | None:
    """The tensors of the referenced weight file (cached while the file is unchanged), or None."""
    path = weights_path(project)
    if path is None:
        return None
    try:
        stamp = path.stat().st_mtime
    except OSError:
        raise WeightsFileError(
            path, "is referenced by the project as its weights but does not exist"
        ) from None
    key = (str(path.resolve()), stamp)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = read_state_dict(path)
    return _CACHE[key]


def apply_weights(model: nn.Module, project: Project) -> list[str]:
    """Copy the referenced weights into `model` where name and shape agree; returns keys left as
    they were."""
    state = referenced_state(project)
    if state is None:
        return []
    own = model.state_dict()
    from runtime.transfer import reinitialised_names

    skip = reinitialised_names(project)
    usable = {
        k: v
        for k, v in state.items()
        if k in own and own[k].shape == v.shape and k.split(".")[0] not in skip
    }
    model.load_state_dict(usable, strict=False)
    return [k for k in own if k not in usable]
