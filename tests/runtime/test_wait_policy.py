"""A training process started on a busy machine gets OpenMP's passive wait policy, and only then."""

from __future__ import annotations

import os

import pytest

import runtime.training.wait_policy as wait_policy
from runtime.training.wait_policy import POLICY_ENV, machine_is_busy, passive_when_busy


@pytest.fixture
def load(monkeypatch):
    """Set the machine's 1-minute load average as a multiple of its cores."""
    monkeypatch.delenv(POLICY_ENV, raising=False)
    monkeypatch.setattr(wait_policy.os, "cpu_count", lambda: 2)

    def set_load(value: float) -> None:
        monkeypatch.setattr(wait_policy.os, "getloadavg", lambda: (value, value, value))

    return set_load


def test_busy_machine_gets_passive_policy_for_the_block_only(load):
    load(2.5)
    assert machine_is_busy()
    with passive_when_busy() as chosen:
        assert chosen and os.environ[POLICY_ENV] == "PASSIVE"
    assert POLICY_ENV not in os.environ


def test_free_machine_keeps_spinning_threads(load):
    load(0.7)
    with passive_when_busy() as chosen:
        assert not chosen and POLICY_ENV not in os.environ


def test_the_users_own_policy_is_kept(load, monkeypatch):
    load(9.0)
    monkeypatch.setenv(POLICY_ENV, "ACTIVE")
    with passive_when_busy() as chosen:
        assert not chosen and os.environ[POLICY_ENV] == "ACTIVE"
    assert os.environ[POLICY_ENV] == "ACTIVE"


def test_no_load_average_means_not_busy(load, monkeypatch):
    def unavailable():
        raise OSError("no load average")

    monkeypatch.setattr(wait_policy.os, "getloadavg", unavailable)
    assert not machine_is_busy()
