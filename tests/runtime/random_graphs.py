"""Random valid networks for property tests: chains of primitives with residual and concat
branches."""

from __future__ import annotations

import random

from runtime.graph import Graph
from runtime.project import Project

_SHAPE_KEEPING = [
    ("relu", {}),
    ("batch_norm", {}),
    ("gelu", {}),
    ("leaky_relu", {"negative_slope": 0.1}),
    ("instance_norm", {}),
    ("identity", {}),
    ("silu", {}),
    ("group_norm", {"groups": 2}),
    ("prelu", {}),
    ("elu", {}),
    ("hardswish", {}),
]


def random_project(seed: int) -> Project:
    """A random valid image classifier of 3–12 layers on a small input."""
    rng = random.Random(seed)
    g = Graph()
    c = rng.choice([1, 3])
    prev = g.add_node("input").id
    channels, size = c, rng.choice([16, 20, 24])
    for _ in range(rng.randint(3, 10)):
        kind = rng.random()
        if kind < 0.35:
            out = rng.choice([4, 6, 8])
            stride = 2 if size >= 8 and rng.random() < 0.3 else 1
            node = g.add_node(
                "conv2d",
                {
                    "out_channels": out,
                    "kernel_size": rng.choice([1, 3, 5]),
                    "stride": stride,
                    "bias": rng.random() < 0.5,
                },
            )
            g.connect(prev, node.id)
            prev, channels, size = node.id, out, (size + stride - 1) // stride
        elif kind < 0.55:
            block, params = rng.choice(_SHAPE_KEEPING)
            if block == "group_norm" and channels % 2:
                block, params = "relu", {}
            node = g.add_node(block, params)
            g.connect(prev, node.id)
            prev = node.id
        elif kind < 0.7:
            branch = g.add_node("conv2d", {"out_channels": channels, "kernel_size": 3})
            act = g.add_node("relu")
            merge = g.add_node("add")
            g.connect(prev, branch.id)
            g.connect(branch.id, act.id)
            g.connect(act.id, merge.id)
            g.connect(prev, merge.id)
            prev = merge.id
        elif kind < 0.85:
            a = g.add_node("pointwise_conv", {"out_channels": 4})
            b = g.add_node("depthwise_separable_conv", {"out_channels": 4})
            cat = g.add_node("concat")
            for branch in (a, b):
                g.connect(prev, branch.id)
                g.connect(branch.id, cat.id)
            prev, channels = cat.id, 8
        elif size >= 4:
            node = g.add_node(rng.choice(["max_pool", "avg_pool"]))
            g.connect(prev, node.id)
            prev, size = node.id, size // 2
    if rng.random() < 0.5:
        pool = g.add_node("global_avg_pool")
        g.connect(prev, pool.id)
        prev = pool.id
    head = g.add_node("output", {"num_classes": rng.choice([2, 5, 10])})
    g.connect(prev, head.id)
    return Project(g, (c, size_of_input(seed), size_of_input(seed)), f"Random {seed}")


def size_of_input(seed: int) -> int:
    """The input side used by random_project(seed) (drawn from the same generator state)."""
    rng = random.Random(seed)
    rng.choice([1, 3])
    return rng.choice([16, 20, 24])
