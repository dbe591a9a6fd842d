"""Cases whose fix belongs to work that has not landed yet, with the fault expected and why.

Listed here in the open (and printed by the report) instead of being skipped: when a fix lands, its
entries stop matching and should be deleted; a pending case that fails in another way is a failure.
"""

from __future__ import annotations

from fnmatch import fnmatch

PENDING: tuple[tuple[str, str, str], ...] = (
    # (case name pattern, expected fault texts ("a|b": each fault holds one of them), why)
    (
        "*.train",
        "left outputs behind: run",
        "issue 9 §6/§7 (training outputs): a refused run still creates --out and metrics.jsonl",
    ),
    (
        "args_1[0-7]_train",
        "left outputs behind: run",
        "issue 9 §6/§7 (training outputs): a refused run still creates --out and metrics.jsonl",
    ),
    (
        "*train*",
        "lines on stderr|left outputs behind",
        "run records: a refused `train` is recorded (a <project>.runs/ folder and a 'recording run' "
        "line) before its graph and settings are checked",
    ),
    ("target_*", "", "issue 9 §6/§8 (atomic writes): non-regular targets and --out that is a file"),
    ("inject_*.export_py", "", "issue 9 §1 (export injection)"),
    ("args_16_train", "", "issue 9 §6 (checkpoints): --resume of /dev/zero reads without a bound"),
    ("checkpoint_*", "", "issue 9 §6 (tampered checkpoints)"),
    ("datafile_folder_*", "", "issue 9 §5 (image folders: Pillow bombs, corrupt images)"),
    (
        "data_spec_[df][ei][vf]*",
        "internal error",
        "`convstudio data SPEC`: a device or FIFO as SPEC is an internal error (NotADirectoryError)",
    ),
    ("explain_image_fifo_png", "", "Insight: `explain --image` opens a FIFO and waits for a writer"),
    (
        "import_*_onnx",
        "internal error",
        "ONNX import: `convstudio import x.onnx` names a module that is "
        "not there (runtime.importing.onnx_import)",
    ),
)


def pending_reason(case_name: str, faults: list[str]) -> str | None:
    """Why these faults are expected for now, or None when they are not (then they are failures)."""
    for pattern, fault, reason in PENDING:
        expected = fault.split("|")
        if fnmatch(case_name, pattern) and all(any(e in f for e in expected) for f in faults):
            return reason
    return None
