"""The one adapter between Qt's undo stack and the headless edits of runtime.edits."""

from __future__ import annotations

from typing import Hashable

from PySide6.QtGui import QUndoCommand

from runtime.edits import Edit
from runtime.project import Project

_MERGE_IDS: dict[Hashable, int] = {}
"""Qt merges only commands with equal `id()`: one small number per edit merge key."""
_FIRST_MERGE_ID = 7100


def merge_id(key: Hashable | None) -> int:
    """The QUndoCommand id for an edit's merge key (-1: never merged)."""
    if key is None:
        return -1
    return _MERGE_IDS.setdefault(key, _FIRST_MERGE_ID + len(_MERGE_IDS))


class UndoCommand(QUndoCommand):
    """Puts an Edit on a QUndoStack. The edit is applied before it is pushed (so that a refusal
    pushes nothing); Qt's first `redo`, which QUndoStack.push calls, is therefore skipped."""

    def __init__(self, project: Project, edit: Edit) -> None:
        super().__init__(edit.text)
        self.project = project
        self.edit = edit
        self._already_applied = True

    def redo(self) -> None:
        """Apply the edit (except on push: it was applied already)."""
        if self._already_applied:
            self._already_applied = False
            return
        self.edit.apply(self.project)

    def undo(self) -> None:
        """Revert the edit."""
        self.edit.revert(self.project)

    def id(self) -> int:
        """Equal for edits that may merge (see Edit.merge_key)."""
        return merge_id(self.edit.merge_key())

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Let the edit absorb the following one; a merged step that changes nothing becomes
        obsolete."""
        if not isinstance(other, UndoCommand) or other.project is not self.project:
            return False
        if not self.edit.merge(other.edit):
            return False
        self.setObsolete(self.edit.is_noop())
        return True
