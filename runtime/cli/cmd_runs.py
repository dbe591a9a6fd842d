"""`convstudio runs FILE`: the runs recorded beside a project; rename, star, note or delete one."""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.format import compact, count_text
from runtime.project import load_project
from runtime.runs.record import RunRecord
from runtime.runs.recorder import runs_root
from runtime.runs.store import RunStore


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `runs` sub-command."""
    p = subparsers.add_parser(
        "runs",
        help="list and label the recorded runs of a project",
        description="Without an action, list the runs (newest first). RUN is a run id "
        "or a unique run name.",
    )
    p.add_argument(
        "file", type=Path, help="project file (.json); its runs live in <stem>.runs beside it"
    )
    actions = p.add_mutually_exclusive_group()
    actions.add_argument("--rename", nargs=2, metavar=("RUN", "NAME"), help="give a run a new name")
    actions.add_argument("--star", metavar="RUN", help="star a run")
    actions.add_argument("--unstar", metavar="RUN", help="remove a run's star")
    actions.add_argument("--note", nargs=2, metavar=("RUN", "TEXT"), help="set a run's note")
    actions.add_argument("--delete", metavar="RUN", help="delete a run folder and its checkpoints")
    p.set_defaults(handler=run)


def row(record: RunRecord) -> str:
    """One line of the listing."""
    best = record.best_score
    acc = "—" if best is None else f"{best:.2%}"
    if best is not None and record.metric == "mIoU":
        acc = f"mIoU {acc}"
    params = "—" if record.params is None else count_text(record.params)
    macs = "—" if record.macs is None else compact(record.macs)
    star = "★" if record.starred else " "
    note = f"  {record.note}" if record.note else ""
    return (
        f"{star} {record.id}  {record.name[:24]:<24} {record.state:<11} {params:>12} {macs:>9} "
        f"{acc:>12} {record.duration_s:>8.1f} s{note}"
    )


def run(args: argparse.Namespace) -> int:
    """List or change the runs."""
    store = RunStore(runs_root(load_project(args.file)))
    if args.rename:
        record = store.rename(*args.rename)
    elif args.star or args.unstar:
        record = store.star(args.star or args.unstar, bool(args.star))
    elif args.note:
        record = store.note(*args.note)
    elif args.delete:
        store.delete(args.delete)
        print(f"deleted run '{args.delete}'")
        return 0
    else:
        records = store.list()
        if not records:
            print(f"no runs recorded in {store.root}")
            return 0
        print(
            f"  {'id':<20}  {'name':<24} {'status':<11} {'parameters':>12} {'MACs':>9} "
            f"{'best':>12} {'time':>10}"
        )
        for record in records:
            print(row(record))
        return 0
    print(row(record))
    return 0
