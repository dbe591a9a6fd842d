"""What a user's own block costs against the same layers placed one by one, measured side by side
in one run: a VGG-like network of eight "Double Conv" blocks (conv, BatchNorm, ReLU, conv; width
exposed) against the same network with every block expanded.

Figures: full analysis with a cold probe cache, compile, Python export (the block's class is
derived by rebuilding it with its parameters changed), and a forward pass; the outputs of the two
networks are checked to be equal with the same weights.

Run: python bench/bench_user_blocks.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from runtime import analysis as analysis_module  # noqa: E402
from runtime.analysis import analyze  # noqa: E402
from runtime.compile import build_model  # noqa: E402
from runtime.expand import expand, expand_state_dict  # noqa: E402
from runtime.graph import Graph  # noqa: E402
from runtime.project import Project  # noqa: E402
from runtime.python_export import python_source  # noqa: E402
from runtime.userblocks import definition_from_selection, install  # noqa: E402
from runtime.userblocks import spec as user_spec  # noqa: E402

WIDTHS = (32, 32, 64, 64, 128, 128, 256, 256)


def double_conv() -> str:
    """Install the Double Conv block; its id."""
    graph = Graph()
    ids = [graph.add_node("input").id]
    for block, name in (("conv2d", "conv1"), ("batch_norm", "bn1"), ("relu", "relu1")):
        params = {"out_channels": 16, "kernel_size": 3, "padding": 1} if block == "conv2d" else {}
        ids.append(graph.add_node(block, params, name=name).id)
    ids.append(graph.add_node("conv2d", {"out_channels": 16, "padding": 1}, name="conv2").id)
    for src, dst in zip(ids, ids[1:]):
        graph.connect(src, dst)
    width = [("width", [("conv1", "out_channels"), ("conv2", "out_channels")])]
    return install(definition_from_selection(graph, ids[1:], "Double Conv", "", width)).id


def network(block_id: str) -> Project:
    """Input → eight blocks (a 2×2 max-pool after every second) → Output."""
    graph = Graph()
    previous = graph.add_node("input").id
    for i, width in enumerate(WIDTHS):
        node = graph.add_node(block_id, {"width": width}).id
        graph.connect(previous, node)
        previous = node
        if i % 2:
            pool = graph.add_node("max_pool", {"kernel_size": 2, "stride": 2}).id
            graph.connect(previous, pool)
            previous = pool
    graph.connect(previous, graph.add_node("output", {"num_classes": 10}).id)
    return Project(graph, (3, 64, 64))


def best_of_both(fn, a: Project, b: Project, repeats: int) -> tuple[float, float]:
    """Shortest wall times of `fn(a)` and `fn(b)`, called alternately `repeats` times each."""
    times: dict[int, list[float]] = {0: [], 1: []}
    for _ in range(repeats):
        for i, project in enumerate((a, b)):
            start = time.perf_counter()
            fn(project)
            times[i].append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def cold_analysis(project: Project) -> None:
    analysis_module._CACHE = analysis_module._ProbeCache()
    user_spec._MAKE_CACHE.clear()  # the blocks' inner shapes are worked out again too
    analyze(project)


def main() -> None:
    torch.set_num_threads(2)
    block_id = double_conv()
    blocks = network(block_id)
    model = build_model(blocks).eval()
    primitives = blocks.copy()
    state = model.state_dict()
    for node in [n for n in primitives.graph.nodes.values() if n.block == block_id]:
        state = expand_state_dict(state, expand(primitives, node.id))
    flat = build_model(primitives).eval()
    flat.load_state_dict(state)
    x = torch.randn(4, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(model(x), flat(x)), "expanded network differs"
    cold_analysis(blocks)  # one-time torch meta set-up, out of the figures
    rows = [
        ("analysis, cold cache", cold_analysis, 5),
        ("analysis, warm cache", analyze, 10),
        ("compile", build_model, 3),
        ("Python export", python_source, 3),
        ("forward, batch 4", lambda p: built[id(p)](x), 25),
    ]
    built = {id(blocks): model, id(primitives): flat}
    print(f"{len(WIDTHS)} Double Conv blocks = {len(primitives.graph.nodes)} primitive nodes")
    print(f"{'':24} {'blocks':>10} {'expanded':>10} {'ratio':>7}")
    for label, fn, repeats in rows:
        with torch.no_grad():
            a, b = best_of_both(fn, blocks, primitives, repeats)
        print(f"{label:24} {a * 1e3:8.1f} ms {b * 1e3:8.1f} ms {a / b:7.2f}")


if __name__ == "__main__":
    main()
