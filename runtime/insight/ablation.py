"""Ablation without retraining: run a layer as the identity, or zero some of its channels, and
measure
the validation accuracy lost. One table over all layers answers "which layers matter"."""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Callable, Iterator

import torch
from torch import nn

from runtime.insight.errors import InsightNodeError
from runtime.insight.session import Session


@dataclass(frozen=True)
class AblationRow:
    """One layer: accuracy with it bypassed (None when the identity does not fit) and with `zeroed`
    of its channels set to zero; drops are in accuracy points (0–1)."""

    layer: str
    block: str
    channels: int
    bypass_accuracy: float | None
    bypass_note: str
    zeroed: int
    zero_accuracy: float | None

    def to_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


@dataclass(frozen=True)
class AblationTable:
    """The intact network's accuracy and one row per layer, in execution order."""

    baseline: float
    samples: int
    rows: tuple[AblationRow, ...]

    def drop(self, accuracy: float | None) -> float | None:
        """Accuracy points lost against the intact network."""
        return None if accuracy is None else self.baseline - accuracy

    def to_dict(self) -> dict:
        """Plain values for JSON, drops included."""
        rows = [
            dict(
                r.to_dict(),
                bypass_drop=self.drop(r.bypass_accuracy),
                zero_drop=self.drop(r.zero_accuracy),
            )
            for r in self.rows
        ]
        return {"baseline_accuracy": self.baseline, "samples": self.samples, "layers": rows}


@contextmanager
def bypassed(session: Session, layer: str) -> Iterator[None]:
    """Within the block, `layer` runs as the identity."""
    net = session.model.net
    original = net.get_submodule(layer)
    setattr(net, layer, nn.Identity())
    try:
        yield
    finally:
        setattr(net, layer, original)


def zero_channels(output: torch.Tensor, channels: list[int]) -> torch.Tensor:
    """A copy of `output` with the given channels (dimension 1) set to zero."""
    out = output.clone()
    out.index_fill_(1, torch.tensor(channels, dtype=torch.long), 0.0)
    return out


@contextmanager
def zeroed(session: Session, layer: str, channels: list[int]) -> Iterator[None]:
    """Within the block, the given output channels of `layer` are zero."""
    handle = session.model.layer(layer).register_forward_hook(
        lambda _m, _i, out: zero_channels(out, channels)
    )
    try:
        yield
    finally:
        handle.remove()


def bypass_note(session: Session, layer: str) -> str:
    """Why `layer` cannot run as the identity ('' when it can), briefly."""
    graph = session.project.graph
    node = graph.by_name(layer)
    in_shapes = [session.shapes.get(graph.nodes[e.src].name, ()) for e in graph.inputs_of(node.id)]
    if len(in_shapes) != 1:
        return f"{len(in_shapes)} inputs"
    if tuple(in_shapes[0]) != tuple(session.shapes.get(layer, ())):
        return "shape changes " + " → ".join(
            "×".join(map(str, s)) for s in (in_shapes[0], session.shapes[layer])
        )
    return ""


class _Runner:
    """Runs the network's program from any layer on, reusing the intact run's values before it."""

    def __init__(self, session: Session, x: torch.Tensor) -> None:
        self.net = session.model.net
        self.values: list = [None] * self.net._slots
        self.values[0] = (x - session.model.mean) / session.model.std
        for name, ins, out, _ in self.net._program:
            self.values[out] = self.net._modules[name](*[self.values[i] for i in ins])
        self.slot = {name: out for name, _, out, _ in self.net._program}
        self.index = {name: i for i, (name, *_) in enumerate(self.net._program)}

    def logits(self) -> torch.Tensor:
        """The intact network's output."""
        return self.values[self.net._result]

    def output(self, layer: str) -> torch.Tensor:
        """`layer`'s output in the intact run."""
        return self.values[self.slot[layer]]

    def rerun(self, layer: str, change: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        """Logits when `layer`'s output is replaced by `change(its inputs' or output values)`."""
        start = self.index[layer]
        values = list(self.values)
        name, ins, out, _ = self.net._program[start]
        values[out] = change(values[ins[0]] if change is _identity else values[out])
        for name, ins, out, _ in self.net._program[start + 1 :]:
            values[out] = self.net._modules[name](*[values[i] for i in ins])
        return values[self.net._result]


def _identity(value: torch.Tensor) -> torch.Tensor:
    return value


def _channel_ranking(output: torch.Tensor) -> list[int]:
    """Output channels by mean |activation|, largest first."""
    score = output.abs().float().mean(dim=[d for d in range(output.ndim) if d != 1])
    return [int(i) for i in score.argsort(descending=True)]


def _chunk_size(session: Session) -> int:
    """Images per pass so that every layer's output of a pass fits in about 800 MB."""
    per_image = sum(math.prod(s) for s in session.shapes.values()) or 1
    return max(1, min(1000, int(2e8 // per_image)))


@torch.no_grad()
def ablation_table(
    session: Session,
    limit: int | None = 1000,
    zero: int | None = None,
    layers: list[str] | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> AblationTable:
    """Bypass each layer (but the output head), then zero `zero` of its most active channels
    (default
    half), on the first `limit` validation images; layers are run from the ablated one on only."""
    x, y = session.val_pixels(limit)
    head = next(n.name for n in session.project.graph.nodes.values() if n.block == "output")
    chosen = [n for n in (layers or session.layer_names) if n != head]
    for name in chosen:
        if name not in session.layer_names:
            raise InsightNodeError(f"no layer called '{name}' in the network")
    notes = {n: bypass_note(session, n) for n in chosen}
    channels = {n: (session.shapes.get(n) or (0,))[0] for n in chosen}
    ks = {
        n: min(channels[n], math.ceil(channels[n] / 2) if zero is None else max(0, zero))
        for n in chosen
    }
    ranking: dict[str, list[int]] = {}
    correct = {"base": 0, **{(n, m): 0 for n in chosen for m in ("bypass", "zero")}}
    size, done = _chunk_size(session), 0
    for i in range(0, len(y), size):
        if cancelled():
            break
        run, yb = _Runner(session, x[i : i + size]), y[i : i + size]
        correct["base"] += int((run.logits().argmax(1) == yb).sum())
        for name in chosen:
            if not notes[name]:
                correct[(name, "bypass")] += int((run.rerun(name, _identity).argmax(1) == yb).sum())
            if ks[name] > 0:
                ranking.setdefault(name, _channel_ranking(run.output(name)))
                drop = ranking[name][: ks[name]]
                logits = run.rerun(name, lambda out, drop=drop: zero_channels(out, drop))
                correct[(name, "zero")] += int((logits.argmax(1) == yb).sum())
        done += len(yb)
        progress(done, len(y))
    n = max(1, done)
    rows = tuple(
        AblationRow(
            name,
            session.project.graph.by_name(name).block,
            channels[name],
            None if notes[name] else correct[(name, "bypass")] / n,
            notes[name],
            ks[name],
            correct[(name, "zero")] / n if ks[name] > 0 else None,
        )
        for name in chosen
    )
    return AblationTable(correct["base"] / n, done, rows)


@torch.no_grad()
def accuracy(session: Session, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    """Share of 0–1 images `x` classified as `y`."""
    correct = sum(
        int((session.model(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum())
        for i in range(0, len(y), batch)
    )
    return correct / max(1, len(y))
