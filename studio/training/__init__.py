"""Live training: the Train menu, the panels, and the controller that trains in another process."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.plugins import EditorHost


def install(window: "EditorHost") -> None:
    """Add the Train menu and the training panels to the editor's main window."""
    from studio.training.installer import install_training

    install_training(window)
