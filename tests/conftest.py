"""Test-wide settings: headless Qt, no user settings touched."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
