"""Analysis of a whole graph: per-node shapes, parameters, multiply-adds, receptive fields,
problems."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from blocks import BlockError, ShapeMismatchError
from blocks import custom
from blocks.lazy import lazy
from blocks.spec import Shape
from runtime.bypass import bypass_problem, is_bypassed
from runtime.format import shape_text
from runtime.graph import Graph, Node
from runtime.project import Project

if TYPE_CHECKING:
    from runtime.shape_probe import Probe

# Probing builds blocks on torch's meta device; torch loads with the first analysis.
shape_probe = lazy("runtime.shape_probe")

BYTES_PER_VALUE = 4  # activations are float32 unless mixed precision is used


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the graph; `node_id` is None for graph-wide problems."""

    node_id: str | None
    message: str


@dataclass(frozen=True)
class NodeFigures:
    """Everything known about one node's output and cost (per sample; batch excluded)."""

    node_id: str
    name: str
    block: str
    out_shape: Shape
    params: int
    params_total: int
    buffers: int
    macs: int
    activations: int
    rf: int
    jump: float
    rf_global: bool

    @property
    def flops(self) -> int:
        """Floating-point operations, counted as 2 × multiply-adds."""
        return 2 * self.macs


@dataclass
class Analysis:
    """Figures for every node that could be analysed, one problem per broken node, and totals."""

    input_shape: Shape
    batch_size: int
    nodes: dict[str, NodeFigures] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    output_id: str | None = None
    warnings: list[Problem] = field(default_factory=list)
    """Things that do not stop training or export (e.g. a spare node that is left out)."""
    left_out: set[str] = field(default_factory=set)
    """Nodes off every path from the Input to the Output: not compiled, exported nor counted."""
    pending: bool = False
    """True for the stand-in a window shows while torch, which probing needs, is still loading:
    no figures and no problems yet, and not `ok`."""

    @property
    def ok(self) -> bool:
        """True when the graph has been analysed and has no problem at all."""
        return not self.problems and not self.pending

    def counted(self) -> list[NodeFigures]:
        """Figures of the nodes the network is made of (left-out spare nodes excluded)."""
        return [f for nid, f in self.nodes.items() if nid not in self.left_out]

    @property
    def params(self) -> int:
        """Trainable parameters of the whole network."""
        return sum(f.params for f in self.counted())

    @property
    def params_total(self) -> int:
        """All parameters, trainable or frozen."""
        return sum(f.params_total for f in self.counted())

    @property
    def params_frozen(self) -> int:
        """Parameters of frozen nodes (they do not train)."""
        return self.params_total - self.params

    @property
    def buffers(self) -> int:
        """Non-parameter state (e.g. BatchNorm running statistics)."""
        return sum(f.buffers for f in self.counted())

    @property
    def macs(self) -> int:
        """Multiply-adds of one forward pass of one sample."""
        return sum(f.macs for f in self.counted())

    @property
    def flops(self) -> int:
        """FLOPs (= 2 × MACs) of one forward pass of one sample."""
        return 2 * self.macs

    @property
    def activations(self) -> int:
        """Activation values produced by one sample (all node outputs)."""
        return sum(f.activations for f in self.counted())

    @property
    def activation_bytes(self) -> int:
        """Memory of all node outputs for the whole batch, in float32 bytes."""
        return self.activations * self.batch_size * BYTES_PER_VALUE

    def problems_for(self, node_id: str) -> list[Problem]:
        """The problems about one node."""
        return [p for p in self.problems if p.node_id == node_id]

    def not_analysed_reason(self, graph: Graph, node_id: str) -> str:
        """Why a node without problems of its own has no figures: the nearest broken node
        upstream."""
        if self.pending:
            return "being analysed: PyTorch is still loading"
        broken = {p.node_id for p in self.problems if p.node_id}
        seen, frontier = {node_id}, [node_id]
        while frontier:
            upstream = []
            for nid in frontier:
                for edge in graph.inputs_of(nid):
                    if edge.src in broken:
                        return f"not analysed: depends on '{graph.nodes[edge.src].name}'"
                    if edge.src not in seen:
                        seen.add(edge.src)
                        upstream.append(edge.src)
            frontier = upstream
        if not graph.inputs_of(node_id):
            return "not analysed: no input is connected"
        return "not analysed: an earlier layer has no output shape"

    def to_dict(self, graph: Graph) -> dict[str, Any]:
        """JSON-ready form (documented in the README)."""
        layers = []
        for nid in self.order:
            node = graph.nodes[nid]
            f = self.nodes.get(nid)
            entry: dict[str, Any] = {"id": nid, "name": node.name, "block": node.block}
            if f:
                entry.update(
                    output_shape=list(f.out_shape),
                    params=f.params,
                    params_total=f.params_total,
                    buffers=f.buffers,
                    macs=f.macs,
                    flops=f.flops,
                    activations=f.activations,
                    receptive_field=None if f.rf_global else f.rf,
                    receptive_field_global=f.rf_global,
                    jump=f.jump,
                )
            errors = [p.message for p in self.problems_for(nid)]
            warnings = [p.message for p in self.warnings if p.node_id == nid]
            if warnings:
                entry["warning"] = warnings[0]
            if errors:
                entry["error"] = errors[0]
            elif not f:
                entry["error"] = self.not_analysed_reason(graph, nid)
            layers.append(entry)
        return {
            "input_shape": list(self.input_shape),
            "batch_size": self.batch_size,
            "layers": layers,
            "totals": {
                "params": self.params,
                "params_total": self.params_total,
                "params_frozen": self.params_frozen,
                "buffers": self.buffers,
                "macs": self.macs,
                "flops": self.flops,
                "activations": self.activations,
                "activation_bytes": self.activation_bytes,
            },
            "problems": [
                {
                    "node": p.node_id,
                    "name": graph.nodes[p.node_id].name if p.node_id else None,
                    "message": p.message,
                }
                for p in self.problems
            ],
            "warnings": [
                {"node": p.node_id, "name": graph.nodes[p.node_id].name, "message": p.message}
                for p in self.warnings
                if p.node_id
            ],
        }


class _ProbeCache:
    """Probe results (or error messages) keyed by block, parameters and input shapes."""

    def __init__(self, size: int = 8192) -> None:
        self.size = size
        self._data: OrderedDict[Any, Probe | str] = OrderedDict()

    def get(self, node: Node, in_shapes: Sequence[Shape]) -> Probe | str:
        key = (
            node.block,
            tuple(sorted(node.params.items())),
            tuple(in_shapes),
            custom.generation(),
        )
        hit = self._data.get(key)
        if hit is not None:
            self._data.move_to_end(key)
            return hit
        result = _probe_node(node, in_shapes)
        self._data[key] = result
        if len(self._data) > self.size:
            self._data.popitem(last=False)
        return result


def _probe_node(node: Node, in_shapes: Sequence[Shape]) -> Probe | str:
    spec = node.spec
    try:
        message = spec.check(node.params, in_shapes) if spec.check else None
        if message:
            return message
        return shape_probe.probe(spec.make(node.params, in_shapes), in_shapes)
    except ShapeMismatchError as exc:
        return str(exc)
    except (BlockError, RuntimeError, ValueError, TypeError, IndexError, ZeroDivisionError) as exc:
        return (
            "cannot work with input "
            f"{', '.join(shape_text(s) for s in in_shapes)}: {_first_line(exc)}"
        )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_CACHE = _ProbeCache()


def pending_analysis(project: Project, batch_size: int = 1) -> Analysis:
    """The stand-in for `analyze(project, batch_size)` while torch loads: every node in order, no
    figures, no problems, `pending` set."""
    return Analysis(
        tuple(project.input_shape),
        max(1, int(batch_size)),
        order=project.graph.topological_order(),
        pending=True,
    )


def analyze(project: Project, batch_size: int = 1, input_shape: Shape | None = None) -> Analysis:
    """Analyse every node of `project` at once; broken nodes become problems, the rest get
    figures."""
    graph = project.graph
    shape = tuple(input_shape or project.input_shape)
    result = Analysis(shape, max(1, int(batch_size)), order=graph.topological_order())
    inputs = [n for n in graph.nodes.values() if n.block == "input"]
    outputs = [n for n in graph.nodes.values() if n.block == "output"]
    if not inputs:
        result.problems.append(
            Problem(None, "the network has no Input node: add one from the palette")
        )
    for extra in inputs[1:]:
        result.problems.append(
            Problem(
                extra.id,
                f"Input '{extra.name}': a network takes one input image; remove this second Input",
            )
        )
    if not outputs:
        result.problems.append(
            Problem(None, "the network has no Output node: add an Output (classifier head)")
        )
    for extra in outputs[1:]:
        result.problems.append(
            Problem(
                extra.id,
                f"Output '{extra.name}': a network has one output; remove this second Output",
            )
        )
    if outputs:
        result.output_id = outputs[0].id
    rf_side = max(shape[1:]) if len(shape) == 3 else 1
    for nid in result.order:
        _analyze_node(graph, graph.nodes[nid], result, shape, rf_side)
    if len(inputs) == 1 and len(outputs) == 1:
        _leave_out_spare_nodes(graph, result, inputs[0].id, outputs[0].id)
    return result


def _leave_out_spare_nodes(graph: Graph, result: Analysis, source: str, sink: str) -> None:
    """Nodes that feed nothing into the Output are left out: their problems become warnings.

    Only when the Input reaches the Output: otherwise the broken path is the problem to fix. A node
    that does feed the Output stays part of the network (a wrong one there is an error)."""
    feeding = graph.ancestors(sink) | {sink}
    if source not in feeding:
        return
    spare = set(graph.nodes) - feeding
    if not spare:
        return
    reasons = {p.node_id: p.message for p in result.problems if p.node_id in spare}
    result.problems = [p for p in result.problems if p.node_id not in spare]
    result.left_out = spare
    for nid in result.order:
        if nid not in spare:
            continue
        node = graph.nodes[nid]
        label = f"{node.spec.title} '{node.name}'"
        why = reasons[nid].removeprefix(label).strip() if nid in reasons else ""
        result.warnings.append(
            Problem(
                nid,
                f"{label} is not on a path from the Input to the Output: it is left out of "
                f"training and export{f' (it {why})' if why else ''}",
            )
        )


def _analyze_node(
    graph: Graph, node: Node, result: Analysis, input_shape: Shape, rf_side: int
) -> None:
    spec = node.spec
    edges = graph.inputs_of(node.id)
    label = f"{spec.title} '{node.name}'"
    if node.block == "input":
        if node.id == next(n.id for n in graph.nodes.values() if n.block == "input"):
            c = 1
            for d in input_shape:
                c *= d
            result.nodes[node.id] = NodeFigures(
                node.id, node.name, node.block, tuple(input_shape), 0, 0, 0, 0, c, 1, 1.0, False
            )
        return
    if len(edges) < spec.min_inputs:
        need = "an input" if spec.min_inputs == 1 else f"at least {spec.min_inputs} inputs"
        have = "none" if not edges else f"only {len(edges)}"
        result.problems.append(
            Problem(
                node.id,
                f"{label} needs {need} but has {have}: "
                f"drag a wire from another block's output to it",
            )
        )
        return
    upstream = [result.nodes.get(e.src) for e in edges]
    if any(u is None for u in upstream):
        return  # an upstream node is broken; its own problem explains it
    in_shapes = [u.out_shape for u in upstream]
    outcome = _CACHE.get(node, in_shapes)
    if isinstance(outcome, str):
        result.problems.append(Problem(node.id, f"{label} {outcome}"))
        return
    rf, jump, is_global = _receptive(spec.rf_layers(node.params), upstream, rf_side)
    activations = 1
    for d in outcome.out_shape:
        activations *= d
    if is_bypassed(node):
        problem = bypass_problem(label, in_shapes, outcome.out_shape)
        if problem:
            result.problems.append(Problem(node.id, problem))
            return
        result.nodes[node.id] = NodeFigures(
            node.id,
            node.name,
            node.block,
            outcome.out_shape,
            0,
            0,
            0,
            0,
            activations,
            upstream[0].rf,
            upstream[0].jump,
            upstream[0].rf_global,
        )
        return
    trainable = 0 if node.extra.get("frozen") else outcome.params
    result.nodes[node.id] = NodeFigures(
        node.id,
        node.name,
        node.block,
        outcome.out_shape,
        trainable,
        outcome.params_total,
        outcome.buffers,
        outcome.macs,
        activations,
        rf,
        jump,
        is_global,
    )


def _receptive(layers, upstream: Sequence[NodeFigures], rf_side: int) -> tuple[int, float, bool]:
    rf = max(u.rf for u in upstream)
    jump = max(u.jump for u in upstream)
    is_global = any(u.rf_global for u in upstream)
    for k, s in layers:
        if k < 0:
            return rf_side, jump, True
        rf += (k - 1) * jump
        jump *= s
    return (rf_side if is_global else int(round(rf))), jump, is_global
