"""Start-up: runs the real `convstudio open` command in a subprocess (offscreen) and measures the
time until the window is shown and painted, and until the first analysis (torch loaded behind the
window) is on screen. The app prints both times with --report-startup. Target: shown ≤ 3 s.

`--cold` empties the page cache before each run, as after a reboot (root only: it writes
/proc/sys/vm/drop_caches). Without it the runs are warm, like a second launch.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 3.0
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def drop_page_cache() -> None:
    """Forget every cached file page, so the next start reads Python, Qt and torch from disk."""
    subprocess.run(["sync"], check=True)
    try:
        DROP_CACHES.write_text("3\n")
    except OSError as exc:
        raise SystemExit(f"--cold needs root to write {DROP_CACHES}: {exc}") from None


def once(cold: bool) -> tuple[float, float, bool]:
    """(seconds to the window shown, seconds to the first analysis, torch loaded when shown)."""
    if cold:
        drop_page_cache()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "runtime", "open", "--report-startup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    if "shown_at" not in report or "analysed_at" not in report:
        raise SystemExit(f"the app did not report its start-up:\n{out.stdout}\n{out.stderr}")
    return (
        float(report["shown_at"]) - start,
        float(report["analysed_at"]) - start,
        report.get("torch_loaded_when_shown") == "True",
    )


def main() -> None:
    """Print each run and the medians against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="empty the page cache before each run")
    args = parser.parse_args()
    kind = "cold" if args.cold else "warm"
    results = [once(args.cold) for _ in range(args.runs)]
    for i, (shown, analysed, torch_first) in enumerate(results, 1):
        note = "  (torch was loaded before the window showed)" if torch_first else ""
        print(f"run {i} ({kind}): shown {shown:.2f} s, analysed {analysed:.2f} s{note}")
    shown = statistics.median(r[0] for r in results)
    analysed = statistics.median(r[1] for r in results)
    print(
        f"{kind} start to window shown: median {shown:.2f} s   target {TARGET_S:.0f} s   "
        f"ratio {shown / TARGET_S:.2f}   (first analysis on screen: median {analysed:.2f} s)"
    )


if __name__ == "__main__":
    main()
