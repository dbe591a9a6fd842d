"""When a run is refused because the head does not match the data, offer to set it (one undoable
edit)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox

from runtime.edits import SetParams
from runtime.training.events import HeadFix
from studio.plugins import EditorHost


class HeadOffer(QMessageBox):
    """A window-modal question: set the output node to the data's class count and train again?"""

    def __init__(
        self, host: EditorHost, fix: HeadFix, message: str, then: Callable[[], None]
    ) -> None:
        super().__init__(host)  # type: ignore[arg-type]  # the host is the main window
        self.host, self.fix, self.then = host, fix, then
        self.setObjectName("head_offer")
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle("Head does not match the data")
        gives = f"gives {fix.current} class scores" if fix.current else "has no class scores"
        self.setText(f"The data has {fix.classes} classes, but '{fix.node_name}' {gives}.")
        self.setInformativeText(
            f"Set '{fix.node_name}' to {fix.classes} classes and start training again?\n"
            "(Undo takes the change back.)"
        )
        self.setToolTip(message)
        self.accept_button = self.addButton(
            f"Set to {fix.classes} Classes and Train", QMessageBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.accept_button)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.buttonClicked.connect(self._clicked)

    def _clicked(self, button: QAbstractButton) -> None:
        """Apply the fix when its button was the one clicked."""
        if button is self.accept_button:
            self.apply()

    def apply(self) -> bool:
        """Set the head's class count as one undo step and start again; False when the node is gone
        or the value is refused (the status bar says so)."""
        doc = self.host.document()
        node = doc.project.graph.nodes.get(self.fix.node_id)
        if node is None or node.block != "output":
            self.host.show_status(f"'{self.fix.node_name}' is no longer in the graph")
            return False
        edit = SetParams(
            [node.id],
            {"num_classes": self.fix.classes},
            f"Set '{node.name}' to {self.fix.classes} Classes",
        )
        reason = doc.execute(edit)
        if reason is not None:
            self.host.show_status(reason)
            return False
        self.then()
        return True
