"""The robustness suite: every bad input through every command ends in one line and exit 1.

Run alone with `python -m pytest -m robustness`; `python -m tests.robustness.report` prints the
figures the README quotes.
"""

from __future__ import annotations

import pytest

from tests.robustness.cases import build_cases
from tests.robustness.pending import pending_reason
from tests.robustness.runner import figures, run_corpus

pytestmark = pytest.mark.robustness


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """Every case of the corpus, run and judged once for the module."""
    root = tmp_path_factory.mktemp("robustness")
    return run_corpus(build_cases(root / "cases"), root / "logs")


def test_every_bad_input_ends_in_one_line_and_nothing_lost(verdicts):
    failures = [v for v in verdicts if v.faults and not pending_reason(v.case.name, v.faults)]
    report = "\n".join(
        f"{v.case.name}: {'; '.join(v.faults)} | {v.stderr.strip()[-300:]}" for v in failures[:40]
    )
    assert not failures, f"{len(failures)} of {len(verdicts)} cases misbehaved:\n{report}"


def test_the_corpus_covers_every_command_and_the_bombs(verdicts):
    commands = {v.case.argv[0] for v in verdicts}
    assert {"summary", "export", "train", "blocks", "templates", "open"} <= commands
    assert sum(v.case.bomb for v in verdicts) >= 40
    assert len(verdicts) >= 500


def test_no_traceback_ever_reaches_the_user(verdicts):
    assert figures(verdicts)["tracebacks"] == 0, [v.case.name for v in verdicts if v.traceback]
