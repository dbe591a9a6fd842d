"""A tiny project (1×8×8 digits, one convolution) that trains in a fraction of a second."""

from runtime.graph import Graph
from runtime.project import Project


def tiny_project(**training) -> Project:
    """input → conv 4@3×3 → ReLU → classifier head, on the bundled 8×8 digits."""
    g = Graph()
    nodes = [
        g.add_node("input", name="image"),
        g.add_node("conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}, name="conv1"),
        g.add_node("relu", name="relu1"),
        g.add_node("output", {"num_classes": 10}, name="head"),
    ]
    for a, b in zip(nodes, nodes[1:]):
        g.connect(a.id, b.id)
    base = {
        "epochs": 1,
        "batch_size": 64,
        "threads": 1,
        "log_every": 2,
        "probe_seconds": 0.05,
        "optimizer": "adam",
        "lr": 0.01,
        "schedule": "constant",
    }
    return Project(
        g,
        (1, 8, 8),
        "Tiny Net",
        data={"source": "digits", "validation": 0.2},
        training={**base, **training},
    )
