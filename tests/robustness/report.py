"""Print the reliability figures of the README: `python -m tests.robustness.report [--readme]`.

Builds the corpus in a temporary folder, runs it, and prints the table (with --readme, rewrites the
README's block between the reliability markers instead).
"""

from __future__ import annotations

import argparse
import collections
import re
import tempfile
import time
from pathlib import Path

from tests.robustness.cases import build_cases
from tests.robustness.pending import pending_reason
from tests.robustness.runner import REPO, Verdict, figures, run_corpus

START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"


def render(verdicts: list[Verdict], seconds: float) -> str:
    """The README block: figures, what the corpus holds, and the cases still waiting for a fix."""
    counts = figures(verdicts)
    per_command = collections.Counter(v.case.argv[0] for v in verdicts)
    bombs = sum(v.case.bomb for v in verdicts)
    lines = ["| Figure | Count |", "|---|---:|"]
    lines += [f"| {name} | {value:,} |" for name, value in counts.items()]
    lines += [
        "",
        f"Cases by command: {', '.join(f'{c} {n}' for c, n in sorted(per_command.items()))}; "
        f"{bombs} of them under a 1 GiB address-space limit; {seconds:.0f} s on this machine.",
    ]
    waiting = collections.Counter(
        pending_reason(v.case.name, v.faults) for v in verdicts if v.faults
    )
    unexpected = waiting.pop(None, 0)
    if waiting or unexpected:
        lines += ["", "Cases that still fail:"]
        lines += [f"- {n} × {reason}" for reason, n in waiting.most_common()]
        if unexpected:
            lines += [f"- {unexpected} × not yet explained (see `python -m pytest -m robustness`)"]
    return "\n".join(lines)


def main() -> None:
    """Run the corpus once and print (or write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--readme", action="store_true", help="rewrite the README's reliability block"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="convstudio-robustness-") as folder:
        root = Path(folder)
        verdicts = run_corpus(build_cases(root / "cases"), root / "logs")
    block = render(verdicts, time.perf_counter() - started)
    print(block)
    if args.readme:
        readme = REPO / "README.md"
        text = readme.read_text(encoding="utf-8")
        new = re.sub(
            re.escape(START) + ".*?" + re.escape(END),
            lambda _: f"{START}\n{block}\n{END}",
            text,
            flags=re.S,
        )
        readme.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
