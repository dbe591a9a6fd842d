"""Errors raised by the block catalogue (no graph context; runtime adds the node)."""

from __future__ import annotations


class BlockError(Exception):
    """Base class of every error the catalogue raises."""


class UnknownBlockIdError(BlockError, KeyError):
    """A block id that no registered spec (nor alias) answers to."""

    def __init__(self, block_id: str) -> None:
        super().__init__(block_id)
        self.block_id = block_id

    def __str__(self) -> str:
        return f"unknown block type '{self.block_id}'"


class ParamValueError(BlockError, ValueError):
    """A parameter value outside its type or limits."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class DuplicateBlockError(BlockError):
    """Two specs registered under one id."""


class ShapeMismatchError(BlockError):
    """The inputs a block receives cannot work with its parameters."""
