"""The optional Captum dependency: imported on demand, one clear line when it is missing."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from runtime.insight.errors import INSTALL_HINT, MissingExtraError


def captum_available() -> bool:
    """Whether Captum can be imported (the `insight` extra is installed)."""
    return importlib.util.find_spec("captum") is not None


def missing_line() -> str:
    """The one line a view or command shows when Captum is absent."""
    return f"Attribution and attacks need Captum: {INSTALL_HINT}"


def captum_attr() -> ModuleType:
    """`captum.attr`, or MissingExtraError saying how to install it."""
    if not captum_available():
        raise MissingExtraError("Captum")
    import captum.attr

    return captum.attr


def captum_robust() -> ModuleType:
    """`captum.robust`, or MissingExtraError saying how to install it."""
    if not captum_available():
        raise MissingExtraError("Captum")
    import captum.robust

    return captum.robust
