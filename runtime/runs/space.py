"""A sweep's search space: training settings and block parameters by node name, checked against a
project.

`{"lr": {"log": [1e-4, 1e-1]}, "conv1.out_channels": [16, 32, 64], "dropout.p": {"range": [0.0,
0.5]}}`:
a list is a set of choices, {"log": [lo, hi]} a log-uniform range, {"range": [lo, hi]} a uniform one
(whole numbers when both ends are; an optional "step")."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.errors import ConvStudioError
from runtime.project import Project
from runtime.runs.errors import SweepError
from runtime.training.settings import FIELDS, parse_training

_SETTINGS = {f.name for f in FIELDS}


@dataclass(frozen=True)
class Dimension:
    """One searched value: `kind` is 'choice', 'int' or 'float'."""

    key: str
    kind: str
    choices: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    step: float | None = None

    @property
    def node(self) -> str | None:
        """The node name for a block parameter ('conv1' of 'conv1.out_channels'), else None."""
        return self.key.split(".", 1)[0] if "." in self.key else None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _dimension(key: str, raw: Any) -> Dimension:
    if isinstance(raw, list):
        if not raw:
            raise SweepError(key, "the list of choices is empty")
        if not all(v is None or isinstance(v, (str, int, float, bool)) for v in raw):
            raise SweepError(key, "choices must be numbers, strings, true/false or null")
        return Dimension(key, "choice", tuple(raw))
    if (
        isinstance(raw, dict)
        and len(set(raw) & {"log", "range"}) == 1
        and set(raw) <= {"log", "range", "step"}
    ):
        log = "log" in raw
        ends = raw["log" if log else "range"]
        if not (
            isinstance(ends, list)
            and len(ends) == 2
            and all(_number(v) for v in ends)
            and ends[0] < ends[1]
        ):
            raise SweepError(key, "a range is [low, high] with low < high")
        if log and ends[0] <= 0:
            raise SweepError(key, "a log range must be above zero")
        step = raw.get("step")
        if step is not None and (not _number(step) or step <= 0 or log):
            raise SweepError(key, "'step' must be a positive number (and not with 'log')")
        whole = all(isinstance(v, int) for v in ends) and (step is None or isinstance(step, int))
        return Dimension(key, "int" if whole else "float", (), ends[0], ends[1], log, step)
    raise SweepError(
        key, 'expected a list of choices, {"log": [low, high]} or {"range": [low, high]}'
    )


def parse_space(doc: Any, project: Project) -> list[Dimension]:
    """Validate a search space against the project: every key is a training setting or
    `node.param`."""
    if not isinstance(doc, dict) or not doc:
        raise SweepError(None, "the search space must be a non-empty JSON object of name → values")
    dims = []
    for key, raw in doc.items():
        dim = _dimension(key, raw)
        if dim.node is None:
            if key not in _SETTINGS:
                raise SweepError(
                    key,
                    f"is not a training setting; use one of {', '.join(sorted(_SETTINGS))} "
                    "or node.parameter",
                )
        else:
            param = key.split(".", 1)[1]
            if dim.node not in project.graph.names():
                raise SweepError(key, f"the graph has no node named '{dim.node}'")
            node = project.graph.by_name(dim.node)
            if param not in {p.name for p in node.spec.params}:
                known = ", ".join(p.name for p in node.spec.params) or "none"
                raise SweepError(
                    key,
                    f"{node.spec.title} '{dim.node}' has no parameter '{param}' (it has {known})",
                )
        dims.append(dim)
    return dims


def read_space(path: str | Path, project: Project) -> list[Dimension]:
    """Read and validate a search-space JSON file."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError(None, f"{path}: does not exist") from None
    except (OSError, ValueError) as exc:
        raise SweepError(None, f"{path}: is not a readable JSON file: {exc}") from None
    return parse_space(doc, project)


def apply_values(project: Project, values: dict[str, Any]) -> Project:
    """A copy of the project with the chosen values set (each one validated like a manual edit)."""
    out = project.copy()
    training = dict(out.training)
    for key, value in values.items():
        if "." in key:
            name, param = key.split(".", 1)
            try:
                out.graph.set_params(out.graph.by_name(name).id, {param: value})
            except ConvStudioError as exc:
                raise SweepError(key, f"value {value!r} is refused: {exc}") from None
        else:
            training[key] = value
    try:
        parse_training(training)
    except ConvStudioError as exc:
        raise SweepError(None, str(exc)) from None
    out.training = training
    return out


def grid_size(dims: list[Dimension]) -> int:
    """How many points a grid over these dimensions has; SweepError when one is not a list of
    choices."""
    size = 1
    for dim in dims:
        if dim.kind != "choice":
            raise SweepError(
                dim.key, "a grid sweep needs a list of choices for every entry, not a range"
            )
        size *= len(dim.choices)
    return size
