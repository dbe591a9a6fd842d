"""`--trust-code`: commands that would run the code a project's custom modules name refuse
without it.

A project file alone never makes ConvStudio run code; passing the flag trusts, for this command
only, every module the project's custom modules name (torch's own modules need no trust)."""

from __future__ import annotations

import argparse

from blocks import custom
from runtime.errors import ConvStudioError
from runtime.project import Project

FLAG = "--trust-code"


class UntrustedCode(ConvStudioError):
    """A command would run code the user has not said they trust."""


def add_trust_flag(
    parser: argparse.ArgumentParser, what: str = "the project's custom modules"
) -> None:
    """Add --trust-code to a sub-command."""
    parser.add_argument(
        FLAG,
        dest="trust_code",
        action="store_true",
        help=f"run the Python code {what} name, with your permissions (refused without it)",
    )


def project_code(project: Project) -> list[str]:
    """The files and packages (other than torch) whose code the project's custom modules run."""
    found: list[str] = []
    for node in project.graph.nodes.values():
        if node.block != "custom_module":
            continue
        reference = str(node.params.get("module", ""))
        try:
            where, _ = custom.split_reference(reference)
        except custom.CustomModuleError:
            continue  # a malformed reference is reported by the analysis, and runs nothing
        if not custom.is_trusted(reference) and where not in found:
            found.append(where)
    return found


def require_trust(project: Project, args: argparse.Namespace, where: str) -> None:
    """Trust the project's code when --trust-code was given; else refuse on one line naming the
    code and the flag."""
    code = project_code(project)
    if not code:
        return
    listed = ", ".join(code)
    if not getattr(args, "trust_code", False):
        raise UntrustedCode(
            f"{where}: its custom modules run Python code from {listed}; pass {FLAG} to run it "
            "with your permissions"
        )
    for node in project.graph.nodes.values():
        if node.block == "custom_module":
            try:
                custom.trust(str(node.params.get("module", "")))
            except custom.CustomModuleError:
                continue


def require_source_trust(source: str, args: argparse.Namespace) -> None:
    """Importing PyTorch code runs it: refuse without --trust-code."""
    if not getattr(args, "trust_code", False):
        raise UntrustedCode(
            f"{source}: importing runs this Python code (its module and the model's constructor); "
            f"pass {FLAG} to run it with your permissions"
        )
