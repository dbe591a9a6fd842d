"""Cold start: runs the real `convstudio open` command in a subprocess (offscreen) and measures the
time until the window is shown (the app prints the time with --report-startup). Target ≤ 3 s."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 3.0


def once() -> float:
    """Seconds from launching the process to the window being shown."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "runtime", "open", "--report-startup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = next((text for text in out.stdout.splitlines() if text.startswith("shown_at=")), None)
    if line is None:
        raise SystemExit(f"the app did not report startup:\n{out.stdout}\n{out.stderr}")
    return float(line.split("=", 1)[1]) - start


def main(runs: int = 3) -> None:
    """Print each run and the median against the target."""
    times = [once() for _ in range(runs)]
    for i, t in enumerate(times, 1):
        print(f"run {i}: {t:.2f} s")
    med = statistics.median(times)
    print(
        f"cold start to window shown: median {med:.2f} s   "
        f"target {TARGET_S:.0f} s   ratio {med / TARGET_S:.2f}"
    )


if __name__ == "__main__":
    main()
