"""Which failure a distributed run reports when several processes end at once (no processes are
started: torchrun's failure records are made up)."""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass

import pytest

from runtime.cli.distributed_launch import DistributedRunError, _failure


@dataclass
class FakeFailure:
    """The fields of torchrun's ProcessFailure that the report reads."""

    exitcode: int
    timestamp: float

    def signal_name(self) -> str:
        return signal.Signals(-self.exitcode).name


@dataclass
class FakeChildFailed:
    failures: dict[int, FakeFailure]


def _note(folder, rank: int, message: str, when: float) -> None:
    text = json.dumps({"rank": rank, "message": message, "time": when})
    (folder / f"rank-{rank}.json").write_text(text, encoding="utf-8")


def test_a_process_ended_by_torchrun_does_not_hide_the_error_of_the_one_that_failed(tmp_path):
    """Rank 0 fails its setup and writes why; torchrun then SIGTERMs rank 1 (seen first)."""
    _note(tmp_path, 0, "training setting 'accumulate' is wrong", when=10.0)
    failed = FakeChildFailed({0: FakeFailure(1, 10.5), 1: FakeFailure(-signal.SIGTERM, 9.0)})
    with pytest.raises(DistributedRunError, match="rank 0 failed: training setting 'accumulate'"):
        _failure(failed, tmp_path)


def test_a_kill_before_a_peer_times_out_is_the_cause(tmp_path):
    """Rank 1 is killed (OOM, kill -9); rank 0 later gives up waiting on it: name the kill."""
    _note(tmp_path, 0, "waited 120 s for the other processes", when=130.0)
    failed = FakeChildFailed({0: FakeFailure(1, 130.2), 1: FakeFailure(-signal.SIGKILL, 10.0)})
    with pytest.raises(DistributedRunError, match="rank 1 was killed by SIGKILL"):
        _failure(failed, tmp_path)


def test_a_peer_losing_its_connection_does_not_hide_the_kill(tmp_path):
    """Rank 1 is killed; rank 0's connection error is written at once, before torchrun records
    the kill (in whole seconds, after polling): the kill is still the cause."""
    _note(tmp_path, 0, "internal error: RuntimeError: Connection reset by peer", when=100.3)
    failed = FakeChildFailed({0: FakeFailure(1, 100.4), 1: FakeFailure(-signal.SIGKILL, 101.0)})
    with pytest.raises(DistributedRunError, match="rank 1 was killed by SIGKILL"):
        _failure(failed, tmp_path)


def test_an_error_line_well_before_a_crash_is_the_cause(tmp_path):
    """The earliest cause wins, whichever kind it is."""
    _note(tmp_path, 1, "the loss became NaN", when=5.0)
    failed = FakeChildFailed({0: FakeFailure(-signal.SIGSEGV, 9.0), 1: FakeFailure(1, 5.1)})
    with pytest.raises(DistributedRunError, match="rank 1 failed: the loss became NaN"):
        _failure(failed, tmp_path)


def test_sigterm_alone_is_still_named(tmp_path):
    """A process ended by someone else's SIGTERM, with nothing else to explain it, is named."""
    failed = FakeChildFailed({1: FakeFailure(-signal.SIGTERM, 3.0), 0: FakeFailure(1, 4.0)})
    with pytest.raises(DistributedRunError, match="rank 0 failed: exited with code 1"):
        _failure(failed, tmp_path)
    only = FakeChildFailed({1: FakeFailure(-signal.SIGTERM, 3.0)})
    with pytest.raises(DistributedRunError, match="rank 1 was killed by SIGTERM"):
        _failure(only, tmp_path)


def test_every_process_interrupted_returns_its_code(tmp_path):
    """Ctrl+C: every process exits 130, which the run returns rather than an error."""
    failed = FakeChildFailed({0: FakeFailure(130, 1.0), 1: FakeFailure(130, 1.1)})
    assert _failure(failed, tmp_path) == 130


def test_an_unreadable_note_falls_back_to_the_exit_code(tmp_path):
    """A damaged note is ignored rather than failing the report."""
    (tmp_path / "rank-0.json").write_text("{half", encoding="utf-8")
    failed = FakeChildFailed({0: FakeFailure(2, 1.0)})
    with pytest.raises(DistributedRunError, match="rank 0 failed: exited with code 2"):
        _failure(failed, tmp_path)
