"""Issue #2 speed targets: analysis and compile of an expanded ResNet-50, and the compiled
ResNet-18's training step against a hand-written one (alternating, same input, one run).

Run: python bench/bench_core.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.resnet_graphs import HandResNet18, primitive_resnet  # noqa: E402
from runtime import analysis as analysis_module  # noqa: E402
from runtime import analyze, build_model  # noqa: E402


def best_of(fn, repeats: int) -> float:
    """Shortest wall time of `repeats` calls, in seconds."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    torch.set_num_threads(2)
    r50 = primitive_resnet((3, 4, 6, 3), bottleneck=True)
    nodes = len(r50.graph.nodes)
    analyze(primitive_resnet((1, 1, 1, 1), bottleneck=False))  # warm torch's one-time meta setup

    def cold() -> None:
        analysis_module._CACHE = analysis_module._ProbeCache()
        analyze(r50)

    t_cold = best_of(cold, 5)
    analyze(r50)
    t_warm = best_of(lambda: analyze(r50), 10)
    t_compile = best_of(lambda: build_model(r50), 3)
    print(f"ResNet-50 expanded: {nodes} primitive nodes, {analyze(r50).params:,} parameters")
    print(
        f"  full analysis, cold cache: {t_cold * 1e3:6.1f} ms   "
        f"(target <= 50 ms: ratio {t_cold / 0.05:.2f})"
    )
    print(f"  full analysis, warm cache: {t_warm * 1e3:6.1f} ms")
    print(
        f"  compile with weights:      {t_compile * 1e3:6.1f} ms   "
        f"(target <= 500 ms: ratio {t_compile / 0.5:.2f})"
    )

    r18 = primitive_resnet((2, 2, 2, 2), bottleneck=False)
    compiled, hand = build_model(r18), HandResNet18()
    assert sum(p.numel() for p in compiled.parameters()) == sum(
        p.numel() for p in hand.parameters()
    )
    x, y = torch.randn(16, 3, 112, 112), torch.randint(0, 1000, (16,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(model: torch.nn.Module) -> None:
        model.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()

    for _ in range(3):
        step(compiled)
        step(hand)
    ratios, tc, th = [], [], []
    for _ in range(12):
        a = best_of(lambda: step(compiled), 1)
        b = best_of(lambda: step(hand), 1)
        tc.append(a)
        th.append(b)
        ratios.append(a / b)
    print("ResNet-18 forward+backward, batch 16 at 112×112, alternating 12 pairs:")
    print(
        f"  compiled {statistics.median(tc) * 1e3:.1f} ms, "
        f"hand-written {statistics.median(th) * 1e3:.1f} ms, "
        f"median ratio {statistics.median(ratios):.3f} (target <= 1.03)"
    )


if __name__ == "__main__":
    main()
