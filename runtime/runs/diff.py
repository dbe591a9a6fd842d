"""The difference between two graphs: nodes matched by name, then added, removed and changed nodes,
wires, and the change in parameters, multiply-adds, receptive field and accuracy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.format import count_text
from runtime.project import Project, load_project
from runtime.runs.errors import RunError
from runtime.runs.figures import network_figures
from runtime.runs.record import RECORD_FILE, metric_name, read_record, read_snapshot
from runtime.runs.snapshot import project_from_snapshot


@dataclass(frozen=True)
class Side:
    """One side of a diff: a project, what to call it, and the run's best validation figure
    when it is a run (accuracy, or mIoU for a segmentation project)."""

    label: str
    project: Project
    accuracy: float | None = None


@dataclass(frozen=True)
class NodeChange:
    """A node present on both sides whose block, parameters or inputs differ."""

    name: str
    block: str
    old_block: str
    params: dict[str, tuple[Any, Any]]
    inputs: tuple[tuple[str, ...], tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Figures:
    """Whole-network figures of one side (None where its graph cannot be analysed)."""

    params: int | None
    macs: int | None
    receptive_field: int | None
    accuracy: float | None


@dataclass
class GraphDiff:
    """Added, removed and changed nodes (by name) and the figures of both sides."""

    a: Side
    b: Side
    added: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    changed: list[NodeChange] = field(default_factory=list)
    input_shape: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    figures: tuple[Figures, Figures] | None = None

    @property
    def empty(self) -> bool:
        """True when the two graphs are the same network."""
        return not (self.added or self.removed or self.changed or self.input_shape)

    def deltas(self) -> dict[str, float | int | None]:
        """B minus A for every figure (None when either side lacks it)."""
        assert self.figures is not None
        fa, fb = self.figures
        return {
            key: None
            if getattr(fa, key) is None or getattr(fb, key) is None
            else getattr(fb, key) - getattr(fa, key)
            for key in ("params", "macs", "receptive_field", "accuracy")
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        assert self.figures is not None
        fa, fb = self.figures
        return {
            "a": self.a.label,
            "b": self.b.label,
            "identical": self.empty,
            "added": [{"name": n, "block": b} for n, b in self.added.items()],
            "removed": [{"name": n, "block": b} for n, b in self.removed.items()],
            "changed": [
                {
                    "name": c.name,
                    "block": c.block,
                    "old_block": c.old_block,
                    "params": {k: {"a": v[0], "b": v[1]} for k, v in c.params.items()},
                    "inputs": None
                    if c.inputs is None
                    else {"a": list(c.inputs[0]), "b": list(c.inputs[1])},
                }
                for c in self.changed
            ],
            "input_shape": None
            if self.input_shape is None
            else {"a": list(self.input_shape[0]), "b": list(self.input_shape[1])},
            "figures": {"a": vars(fa), "b": vars(fb), "delta": self.deltas()},
        }

    def lines(self) -> list[str]:
        """The diff as text, one change per line, then the figures table."""
        out = [f"A: {self.a.label}", f"B: {self.b.label}"]
        if self.input_shape:
            out.append(
                f"~ input size {_shape(self.input_shape[0])} → {_shape(self.input_shape[1])}"
            )
        out += [f"+ {name} ({block})" for name, block in self.added.items()]
        out += [f"- {name} ({block})" for name, block in self.removed.items()]
        for c in self.changed:
            parts = [f"block {c.old_block} → {c.block}"] if c.block != c.old_block else []
            parts += [f"{k} {_value(v[0])} → {_value(v[1])}" for k, v in c.params.items()]
            if c.inputs is not None:
                parts.append(
                    f"inputs {', '.join(c.inputs[0]) or '—'} → {', '.join(c.inputs[1]) or '—'}"
                )
            out.append(f"~ {c.name} ({c.block}): " + "; ".join(parts))
        if self.empty:
            out.append("the graphs are identical")
        out.append("")
        out += _table(self)
        return out


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(v) for v in shape)


def _value(value: Any) -> str:
    return "—" if value is None else repr(value) if isinstance(value, str) else str(value)


def _table(diff: GraphDiff) -> list[str]:
    assert diff.figures is not None
    fa, fb = diff.figures
    delta = diff.deltas()
    rows = [("", "A", "B", "Δ")]
    for key, title in (
        ("params", "parameters"),
        ("macs", "MACs"),
        ("receptive_field", "receptive field"),
        ("accuracy", score_title(diff)),
    ):
        a, b, d = getattr(fa, key), getattr(fb, key), delta[key]
        if key == "accuracy":
            cells = (_pct(a), _pct(b), "—" if d is None else f"{d * 100:+.2f} pt")
        else:
            cells = (_num(a), _num(b), "—" if d is None else ("+" if d > 0 else "") + count_text(d))
        rows.append((title, *cells))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return [
        "  ".join(
            cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def score_title(diff: GraphDiff) -> str:
    """The best-figure row's title: accuracy, mIoU (segmentation projects), or both."""
    names = dict.fromkeys(metric_name(side.project.task) for side in (diff.a, diff.b))
    return " / ".join(names)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


def _num(value: int | None) -> str:
    return "—" if value is None else count_text(value)


def _inputs(project: Project, node_id: str) -> tuple[str, ...]:
    graph = project.graph
    edges = sorted(graph.inputs_of(node_id), key=lambda e: e.port)
    return tuple(graph.nodes[e.src].name for e in edges)


def _figures(side: Side) -> Figures:
    return Figures(*network_figures(side.project), side.accuracy)


def diff_projects(a: Side, b: Side) -> GraphDiff:
    """Compare two sides node by node (nodes are matched by their unique names)."""
    ga, gb = a.project.graph, b.project.graph
    by_a = {n.name: n for n in ga.nodes.values()}
    by_b = {n.name: n for n in gb.nodes.values()}
    diff = GraphDiff(a, b)
    diff.added = {name: by_b[name].block for name in _ordered(b.project) if name not in by_a}
    diff.removed = {name: by_a[name].block for name in _ordered(a.project) if name not in by_b}
    for name in _ordered(b.project):
        if name not in by_a:
            continue
        na, nb = by_a[name], by_b[name]
        keys = [
            k
            for k in dict.fromkeys([*na.params, *nb.params])
            if na.params.get(k) != nb.params.get(k)
        ]
        ins = (_inputs(a.project, na.id), _inputs(b.project, nb.id))
        if na.block != nb.block or keys or ins[0] != ins[1]:
            diff.changed.append(
                NodeChange(
                    name,
                    nb.block,
                    na.block,
                    {k: (na.params.get(k), nb.params.get(k)) for k in keys},
                    None if ins[0] == ins[1] else ins,
                )
            )
    if tuple(a.project.input_shape) != tuple(b.project.input_shape):
        diff.input_shape = (tuple(a.project.input_shape), tuple(b.project.input_shape))
    diff.figures = (_figures(a), _figures(b))
    return diff


def _ordered(project: Project) -> list[str]:
    graph = project.graph
    return [graph.nodes[i].name for i in graph.topological_order()]


def load_side(path: str | Path) -> Side:
    """A project file, or a run folder (its snapshot and best validation accuracy)."""
    path = Path(path)
    if path.is_dir():
        if not (path / RECORD_FILE).is_file():
            raise RunError(path, "is neither a project file nor a run folder (no run.json)")
        record = read_record(path)
        project = project_from_snapshot(read_snapshot(path), path)
        return Side(f"run '{record.name}' ({path})", project, record.best_score)
    return Side(str(path), load_project(path))
