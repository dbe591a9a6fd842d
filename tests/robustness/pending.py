"""Cases whose fix belongs to work that has not landed yet, with the fault expected and why.

Listed here in the open (and printed by the report) instead of being skipped: when a fix lands, its
entries stop matching and should be deleted; a pending case that fails in another way is a failure.
"""

from __future__ import annotations

from fnmatch import fnmatch

PENDING: tuple[tuple[str, str, str], ...] = (
    # (case name pattern, expected fault texts ("a|b": each fault holds one of them), why)
    (
        "*train*",
        "lines on stderr|left outputs behind",
        "run records: a refused `train` is recorded (a <project>.runs/ folder and a 'recording "
        "run' line) before its graph and settings are checked",
    ),
    (
        "data_spec_[df][ei][vf]*",
        "internal error",
        "`convstudio data SPEC`: a device or FIFO as SPEC is an internal error "
        "(NotADirectoryError)",
    ),
    (
        "explain_image_fifo_png",
        "",
        "Insight: `explain --image` opens a FIFO and waits for a writer",
    ),
)


def pending_reason(case_name: str, faults: list[str]) -> str | None:
    """Why these faults are expected for now, or None when they are not (then they are failures)."""
    for pattern, fault, reason in PENDING:
        expected = fault.split("|")
        if fnmatch(case_name, pattern) and all(any(e in f for e in expected) for f in faults):
            return reason
    return None
