"""Transfer learning on a graph: frozen nodes, the classifier head, replacing the head."""

from __future__ import annotations

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from runtime.errors import GraphError
from runtime.graph import Graph, Node
from runtime.project import Project

FROZEN = "frozen"
"""Node extra key: True when the node's parameters do not train."""
REINITIALISE = "reinitialise"
"""Node extra key: True when the node keeps its seed-initialised weights (a replaced head)."""


def is_frozen(node: Node) -> bool:
    """True when the node is frozen."""
    return bool(node.extra.get(FROZEN))


def frozen_names(project: Project) -> set[str]:
    """Names of the frozen nodes."""
    return {n.name for n in project.graph.nodes.values() if is_frozen(n)}


def apply_freezing(model: nn.Module, project: Project, extra: set[str] | None = None) -> None:
    """Stop gradients in frozen nodes (plus `extra` names) and keep their BatchNorms in eval
    mode."""
    names = frozen_names(project) | set(extra or ())
    norms = []
    for name, module in model.named_children():
        frozen = name in names
        for p in module.parameters():
            p.requires_grad_(not frozen)
        if frozen:
            norms += [m for m in module.modules() if isinstance(m, _BatchNorm)]
    model.__dict__["frozen_norms"] = norms
    if norms:
        model.train(model.training)


def keep_frozen_norms_eval(model: nn.Module) -> None:
    """Put the BatchNorms of frozen nodes back in eval mode (after model.train())."""
    for m in model.__dict__.get("frozen_norms", ()):
        m.eval()


def head_node(graph: Graph) -> Node | None:
    """The classifier: the Output node when it has classes, else the last Linear before the
    Output."""
    outputs = [n for n in graph.nodes.values() if n.block == "output"]
    if not outputs:
        return None
    out = outputs[0]
    if out.params.get("num_classes"):
        return out
    node = out
    while True:
        inputs = graph.inputs_of(node.id)
        if len(inputs) != 1:
            return None
        node = graph.nodes[inputs[0].src]
        if node.block == "linear":
            return node
        if node.block not in ("identity", "dropout", "flatten"):
            return None


def head_change(graph: Graph, classes: int) -> tuple[Node, dict[str, int]]:
    """The head node and the parameter change that gives it `classes` outputs."""
    node = head_node(graph)
    if node is None:
        raise GraphError(
            "the network has no classifier head to replace: it needs an Output with classes "
            "or a Linear layer before the Output"
        )
    key = "num_classes" if node.block == "output" else "out_features"
    return node, {key: int(classes)}


def replace_head(project: Project, classes: int) -> Node:
    """Set the head to `classes` outputs and re-initialise it (the referenced weights skip it)."""
    node, change = head_change(project.graph, classes)
    project.graph.set_params(node.id, change)
    project.graph.set_extra(node.id, REINITIALISE, True)
    return node


def set_frozen(project: Project, node_ids: list[str], frozen: bool) -> None:
    """Freeze or unfreeze nodes."""
    for nid in node_ids:
        project.graph.set_extra(nid, FROZEN, True if frozen else None)


def reinitialised_names(project: Project) -> set[str]:
    """Names of nodes that start from their seed-initialised values even when weights are
    referenced."""
    return {n.name for n in project.graph.nodes.values() if n.extra.get(REINITIALISE)}
