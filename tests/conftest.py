"""Test-wide settings: headless Qt, and a private data folder so that no test (nor any command a
test starts) reads or writes the user's own block library."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_DATA_HOME = tempfile.mkdtemp(prefix="convstudio-test-data-")
os.environ["XDG_DATA_HOME"] = _DATA_HOME
atexit.register(shutil.rmtree, _DATA_HOME, ignore_errors=True)
