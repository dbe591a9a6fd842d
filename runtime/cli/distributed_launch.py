"""`convstudio train --nproc-per-node N`: the same training in N processes per machine, started by
PyTorch's own launcher (torchrun, `torch.distributed.run`), with one line when a process fails."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import ConvStudioError

ERRORS_ENV = "CONVSTUDIO_RANK_ERRORS"
"""Environment variable naming the folder where a failing process leaves its one line."""
INTERRUPTED = (130, 143)
"""Exit codes of a process ended by Ctrl+C or SIGTERM."""
KILL_SLACK_S = 2.0
"""How much earlier than torchrun records it a process killed by a signal may have died: torchrun
polls its processes (every 0.5 s here) and stamps a death in whole seconds, while a peer that lost
its connection writes its error line at once. An error line counts as the cause only when it came
more than this before the kill was recorded."""


class DistributedRunError(ConvStudioError):
    """A process of a distributed run failed; the message names its rank and its error."""


@dataclass(frozen=True)
class Launch:
    """Where and how many processes to start."""

    nproc_per_node: int
    nnodes: int = 1
    node_rank: int = 0
    rdzv_endpoint: str | None = None

    def torchrun_args(self) -> list[str]:
        """The torchrun options for this launch (standalone on one machine without an endpoint)."""
        args = [
            f"--nproc-per-node={self.nproc_per_node}",
            f"--nnodes={self.nnodes}",
            "--max-restarts=0",
            "--monitor-interval=0.5",
        ]
        if self.rdzv_endpoint:
            return args + [
                "--rdzv-backend=static",
                f"--rdzv-endpoint={self.rdzv_endpoint}",
                f"--node-rank={self.node_rank}",
            ]
        return args + [  # what torchrun --standalone does: a private meeting point on this machine
            "--rdzv-backend=c10d",
            "--rdzv-endpoint=localhost:0",
            f"--rdzv-id={uuid.uuid4().hex}",
        ]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The launch options of `convstudio train`."""
    p.add_argument(
        "--nproc-per-node",
        type=int,
        metavar="N",
        help="train in N processes on this machine under torchrun (one per GPU; gloo on CPUs); "
        "Ctrl+C ends every process, keeping the last checkpoint",
    )
    p.add_argument("--nnodes", type=int, default=1, metavar="M", help="machines taking part")
    p.add_argument("--node-rank", type=int, default=0, metavar="R", help="this machine's rank")
    p.add_argument(
        "--rdzv-endpoint",
        metavar="HOST:PORT",
        help="where the machines meet (the rank-0 machine's address and a free port)",
    )
    p.add_argument(
        "--collective-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="seconds a process waits on its peers before giving up (default 120)",
    )


def check_launch(args: argparse.Namespace) -> Launch | None:
    """The launch the options ask for (None: train in this process), or one clear error."""
    if args.nproc_per_node is None:
        if args.nnodes != 1 or args.rdzv_endpoint:
            raise DistributedRunError("--nnodes and --rdzv-endpoint need --nproc-per-node")
        return None
    if args.nproc_per_node < 1:
        raise DistributedRunError(f"--nproc-per-node must be at least 1, not {args.nproc_per_node}")
    if args.nnodes < 1 or not 0 <= args.node_rank < args.nnodes:
        raise DistributedRunError(
            f"--node-rank {args.node_rank} is not one of the {args.nnodes} machines (0 to "
            f"{args.nnodes - 1})"
        )
    if args.nnodes > 1 and not args.rdzv_endpoint:
        raise DistributedRunError(
            "--nnodes above 1 needs --rdzv-endpoint HOST:PORT (the rank-0 machine)"
        )
    if args.rdzv_endpoint and ":" not in args.rdzv_endpoint:
        raise DistributedRunError(f"--rdzv-endpoint {args.rdzv_endpoint!r} is not HOST:PORT")
    if args.collective_timeout <= 0:
        raise DistributedRunError("--collective-timeout must be a positive number of seconds")
    return Launch(args.nproc_per_node, args.nnodes, args.node_rank, args.rdzv_endpoint)


def record_failure(rank: int, message: str) -> bool:
    """Leave `message` for the launcher; False when no launcher asked for it (plain torchrun)."""
    folder = os.environ.get(ERRORS_ENV)
    if not folder:
        return False
    text = json.dumps({"rank": rank, "message": message, "time": time.time()})
    Path(folder, f"rank-{rank}.json").write_text(text, encoding="utf-8")
    return True


def launch(launch: Launch, worker_args: list[str]) -> int:
    """Run `python -m runtime <worker_args>` in every process; 0, or an interrupted process's
    code; raises DistributedRunError naming the first rank that failed and why."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.launcher.api import elastic_launch
    from torch.distributed.run import config_from_args, get_args_parser

    import torch.distributed.run  # noqa: F401 - registers its loggers, silenced next

    for name in list(logging.root.manager.loggerDict):  # one line, not torchrun's logs
        if name.startswith("torch.distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # torchrun's default, without its banner
    argv = launch.torchrun_args() + ["-m", "runtime", *worker_args]
    config, entry, entry_args = config_from_args(get_args_parser().parse_args(argv))
    with tempfile.TemporaryDirectory(prefix="convstudio-ranks-") as folder:
        os.environ[ERRORS_ENV] = folder
        try:
            elastic_launch(config, entry)(*entry_args)
        except ChildFailedError as failed:
            return _failure(failed, Path(folder))
        except SignalException as caught:
            name = signal.Signals(caught.sigval).name
            raise DistributedRunError(
                f"interrupted by {name}: every process was ended; the last checkpoint written "
                "at the end of an epoch is kept"
            ) from None
        finally:
            os.environ.pop(ERRORS_ENV, None)
    return 0


def _failure(failed, folder: Path) -> int:
    """The failure to report: the earliest cause, else an interrupted process's exit code.

    A cause is a process's own one-line error or a death by a signal other than SIGTERM (the
    kernel's OOM killer, a crash, `kill -9`). SIGTERM is what torchrun sends every other process
    once one has failed, so a process it ended is named only when nothing else explains the run's
    end."""
    found = []
    for rank, failure in failed.failures.items():
        note = _note(folder / f"rank-{rank}.json")
        if note:
            when = note["time"]
        else:  # a kill is seen late, in whole seconds; its peers' errors follow it at once
            when = failure.timestamp - (KILL_SLACK_S if failure.exitcode < 0 else 0.0)
        found.append((_precedence(failure, note), when, rank, failure, note))
    found.sort(key=lambda f: (f[0], f[1]))
    _, _, rank, failure, note = found[0]
    if all(f[3].exitcode in INTERRUPTED for f in found):
        return failure.exitcode
    if note:
        raise DistributedRunError(f"rank {rank} failed: {note['message']}")
    if failure.exitcode < 0:
        name = failure.signal_name()
        raise DistributedRunError(
            f"rank {rank} was killed by {name}; every other process was ended"
        )
    raise DistributedRunError(f"rank {rank} failed: exited with code {failure.exitcode}")


def _note(path: Path) -> dict | None:
    """The one line a failing process left for the launcher, if it left one that reads."""
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return note if isinstance(note, dict) and {"message", "time"} <= note.keys() else None


def _precedence(failure, note: dict | None) -> int:
    """0: a cause (its own error, a signal other than SIGTERM); 1: an exit code without a line;
    2: ended by SIGTERM or Ctrl+C, most likely because another process failed first."""
    if note or (failure.exitcode < 0 and -failure.exitcode != signal.SIGTERM):
        return 0
    return 2 if failure.exitcode < 0 or failure.exitcode in INTERRUPTED else 1


def worker_rank() -> int | None:
    """This process's rank when torchrun started it, else None."""
    rank = os.environ.get("RANK")
    return int(rank) if rank is not None and "WORLD_SIZE" in os.environ else None


def quiet_output() -> None:
    """Silence stdout of a process other than rank 0 (rank 0 speaks for the run)."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
