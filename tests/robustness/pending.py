"""Cases whose fix belongs to work that has not landed yet, with the fault expected and why.

Listed here in the open (and printed by the report) instead of being skipped: when a fix lands, its
entries stop matching and should be deleted; a pending case that fails in another way is a failure.
"""

from __future__ import annotations

from fnmatch import fnmatch

PENDING: tuple[tuple[str, str, str], ...] = ()
# (case name pattern, expected fault texts ("a|b": each fault holds one of them), why): none now


def pending_reason(case_name: str, faults: list[str]) -> str | None:
    """Why these faults are expected for now, or None when they are not (then they are failures)."""
    for pattern, fault, reason in PENDING:
        expected = fault.split("|")
        if fnmatch(case_name, pattern) and all(any(e in f for e in expected) for f in faults):
            return reason
    return None
