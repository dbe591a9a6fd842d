"""Runs the corpus through the command line and judges every case; the figures of the README."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.robustness.cases import snapshot
from tests.robustness.corpus import MARKER, Case

TIMEOUT_S = 10.0
"""A case computing longer than this (CPU seconds) hangs; so does one blocked for WALL_LIMIT_S."""
WALL_LIMIT_S = 30.0
"""Wall-clock limit: generous, because a machine shared with other work runs slower than its CPU."""
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Verdict:
    """What went wrong with one case (empty `faults` means it behaved)."""

    case: Case
    code: int
    seconds: float
    stderr: str
    faults: list[str] = field(default_factory=list)
    traceback: bool = False
    hung: bool = False
    data_lost: bool = False
    code_executed: bool = False
    internal_error: bool = False


def run_corpus(cases: list[Case], logs: Path, jobs: int = 2) -> list[Verdict]:
    """Run every case (up to `jobs` at once) in forked children of one warm process; judge each."""
    logs.mkdir(parents=True, exist_ok=True)
    lines = []
    for case in cases:
        cache = logs / "cache" / case.name
        cache.mkdir(parents=True, exist_ok=True)
        lines.append(
            json.dumps(
                {
                    "name": case.name,
                    "argv": case.argv,
                    "folder": case.folder,
                    "bomb": case.bomb,
                    "import_after": case.import_after,
                    "cache": str(cache),
                    "cpu_seconds": TIMEOUT_S,
                    "stdout": str(logs / f"{case.name}.out"),
                    "stderr": str(logs / f"{case.name}.err"),
                }
            )
        )
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-m", "tests.robustness.zygote", str(jobs), str(WALL_LIMIT_S)],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60 + len(cases) * WALL_LIMIT_S,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the case runner failed: {done.stderr[-2000:]}")
    results = {r["name"]: r for r in map(json.loads, done.stdout.splitlines())}
    return [judge(case, results[case.name], logs) for case in cases]


def judge(case: Case, result: dict, logs: Path) -> Verdict:
    """Compare one case's outcome with the rules: exit 1 and one line, or (accepted) exit 0."""
    err_path = logs / f"{case.name}.err"
    stderr = err_path.read_text(encoding="utf-8", errors="replace") if err_path.exists() else ""
    verdict = Verdict(case, result["code"], result["seconds"], stderr, hung=result["hung"])
    folder = Path(case.folder)
    after = snapshot(folder)
    verdict.traceback = "Traceback (most recent call last)" in stderr
    verdict.internal_error = any((logs / "cache" / case.name).rglob("*.txt"))
    verdict.code_executed = (folder / MARKER).exists() or Path(MARKER).exists()
    verdict.data_lost = any(after.get(rel) != digest for rel, digest in case.inputs.items())
    lines = stderr.splitlines()
    if verdict.hung:
        verdict.faults.append(f"still running after {TIMEOUT_S:g} s of CPU or {WALL_LIMIT_S:g} s")
    if verdict.traceback:
        verdict.faults.append("traceback on stderr")
    if verdict.internal_error:
        verdict.faults.append("internal error (crash report written)")
    if verdict.code_executed:
        verdict.faults.append("injected code ran")
    if verdict.data_lost:
        changed = sorted(rel for rel, digest in case.inputs.items() if after.get(rel) != digest)
        verdict.faults.append(f"input changed or removed: {', '.join(changed)}")
    if case.accepted:
        if verdict.code != 0:
            verdict.faults.append(f"exit code {verdict.code}, expected 0")
    else:
        if verdict.code != 1:
            verdict.faults.append(f"exit code {verdict.code}, expected 1")
        if len(lines) != 1:
            verdict.faults.append(f"{len(lines)} lines on stderr, expected 1")
        new = sorted(set(after) - set(case.inputs))
        if new:
            verdict.faults.append(f"left outputs behind: {', '.join(new[:3])}")
    return verdict


def figures(verdicts: list[Verdict]) -> dict[str, int]:
    """The reliability figures: cases tried and how many showed each kind of failure."""
    return {
        "bad inputs tried": len(verdicts),
        "tracebacks": sum(v.traceback for v in verdicts),
        "hangs": sum(v.hung for v in verdicts),
        "data lost": sum(v.data_lost for v in verdicts),
        "code executed": sum(v.code_executed for v in verdicts),
        "internal errors": sum(v.internal_error for v in verdicts),
        "other faults": sum(
            bool(v.faults)
            and not (v.traceback or v.hung or v.data_lost or v.code_executed or v.internal_error)
            for v in verdicts
        ),
    }
