"""Test-wide settings: headless Qt, and a clean process exit after Qt tests."""
import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remember the exit status for pytest_unconfigure."""
    session.config.stash[_EXIT] = int(exitstatus)


_EXIT = pytest.StashKey[int]()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """After the report is printed, leave without Python's final garbage collection when Qt was loaded.

    PySide6 6.12 can abort in that final collection ("none_dealloc") once windows with pyqtgraph
    plots have existed, turning a green run into exit code 134. Every test and the summary are done
    by now, so skipping interpreter teardown loses nothing.
    """
    if "PySide6" in sys.modules and _EXIT in config.stash and not hasattr(config, "workerinput"):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config.stash[_EXIT])
