"""A user's own blocks: definitions, the library folder, catalogue registration, embedding."""

from runtime.userblocks.definition import ExposedParam, InnerLayer, UserBlockDef, UserBlockError
from runtime.userblocks.installed import definition_of, install, is_user_block
from runtime.userblocks.library import UserLibrary
from runtime.userblocks.selection import definition_from_selection, selection_problem

__all__ = [
    "ExposedParam",
    "InnerLayer",
    "UserBlockDef",
    "UserBlockError",
    "UserLibrary",
    "definition_from_selection",
    "definition_of",
    "install",
    "is_user_block",
    "selection_problem",
]
