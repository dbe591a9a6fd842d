"""Typed errors of the runtime; each carries the node or file it is about."""

from __future__ import annotations

from pathlib import Path


class ConvStudioError(Exception):
    """Base of every error ConvStudio reports to a person."""


class ProjectFileError(ConvStudioError):
    """A project file that cannot be read: missing, not JSON, wrong structure, newer version."""

    def __init__(self, path: str | Path | None, message: str) -> None:
        self.path = None if path is None else Path(path)
        self.message = message
        where = f"{self.path}: " if self.path else ""
        super().__init__(where + message)


class GraphError(ConvStudioError):
    """A graph edit that was refused; `node_id` names the node at fault when there is one."""

    def __init__(self, message: str, node_id: str | None = None) -> None:
        super().__init__(message)
        self.node_id = node_id


class CycleError(GraphError):
    """A connection that would close a loop."""


class PortError(GraphError):
    """A connection to a port that does not exist or is already taken."""


class ParamError(GraphError):
    """A parameter value a block does not accept."""

    def __init__(self, message: str, node_id: str | None = None, param: str | None = None) -> None:
        super().__init__(message, node_id)
        self.param = param


class UnknownBlockError(GraphError):
    """A block id that the catalogue does not know."""

    def __init__(self, message: str, node_id: str | None = None, block_id: str = "") -> None:
        super().__init__(message, node_id)
        self.block_id = block_id


class InputShapeError(GraphError):
    """An input size that is not three positive integers (refused like any other edit)."""


class SectionError(GraphError):
    """A settings section the project does not have (refused like any other edit)."""


class ProjectNameError(GraphError):
    """A project name that is empty, too long or holds control characters (refused)."""


class InvalidGraphError(ConvStudioError):
    """The graph cannot be compiled or exported; `problems` lists every broken node."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        super().__init__(describe_problems(problems))


def describe_problems(problems: list) -> str:
    """Every problem on one line: the message alone for one, numbered and joined for several."""
    if not problems:
        return "the graph is invalid"
    if len(problems) == 1:
        return problems[0].message
    listed = "; ".join(f"({i}) {p.message}" for i, p in enumerate(problems, 1))
    return f"the graph has {len(problems)} problems: {listed}"


class WriteError(ProjectFileError):
    """A file ConvStudio writes (project, checkpoint, export, plot) could not be written; `path`
    names it.

    The file it would have replaced is left as it was."""


class GroupError(GraphError):
    """A group edit that was refused (bad or taken name, no such group, nothing to group)."""
