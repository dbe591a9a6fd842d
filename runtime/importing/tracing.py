"""Trace a user's model with torch.fx; submodules fx cannot trace become opaque (leaf) modules."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import torch
from torch import fx, nn

from runtime.importing.errors import ModelImportError, first_line, user_line

_MAX_RETRIES = 200


class _LeafNeeded(Exception):
    """A submodule's forward could not be traced: trace again with it as a leaf."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class ImportTracer(fx.Tracer):
    """fx tracer whose leaves are torch's own modules plus the paths in `leaves`."""

    def __init__(self, leaves: set[str]) -> None:
        super().__init__()
        self.leaves = leaves
        self.record_stack_traces = True

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        """torch.nn modules (not containers) and the modules chosen as leaves."""
        return module_qualified_name in self.leaves or super().is_leaf_module(
            m, module_qualified_name
        )

    def call_module(
        self,
        m: nn.Module,
        forward: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        """Trace into user modules; one that fails is reported so it can become a leaf."""
        path = self.path_of_module(m)
        if self.is_leaf_module(m, path):
            return super().call_module(m, forward, args, kwargs)
        try:
            return super().call_module(m, forward, args, kwargs)
        except _LeafNeeded:
            raise
        except Exception:  # noqa: BLE001 - foreign code or file: any failure becomes one typed line
            raise _LeafNeeded(path) from None


def trace(
    model: nn.Module, files: frozenset[str], where: str, leaves: set[str] | None = None
) -> tuple[fx.GraphModule, set[str]]:
    """The traced GraphModule and the submodule paths that had to stay opaque."""
    leaves = set(leaves or ())
    for _ in range(_MAX_RETRIES):
        tracer = ImportTracer(leaves)
        try:
            graph = tracer.trace(model)
        except _LeafNeeded as need:
            leaves.add(need.path)
            continue
        except Exception as exc:  # noqa: BLE001 - foreign code or file: any failure becomes one typed line
            line = user_line(exc.__traceback__, set(files))
            at = f"{where}:{line}" if line else where
            raise ModelImportError(
                at, f"forward cannot be traced by torch.fx: {first_line(exc)}"
            ) from None
        return fx.GraphModule(tracer.root, graph, type(model).__name__), leaves
    raise ModelImportError(
        where, "forward cannot be traced by torch.fx: too many untraceable submodules"
    )


def source_line(node: fx.Node, files: frozenset[str]) -> str | None:
    """'file:line' of the user's code that made `node`, from its recorded stack trace."""
    text = node.stack_trace or ""
    found = None
    for path, line in re.findall(r'File "([^"]+)", line (\d+)', text):
        if not files or path in files or any(path.endswith(f) for f in files):
            found = f"{path}:{line}"
    return found


def run_values(gm: fx.GraphModule, example: torch.Tensor) -> dict[str, Any]:
    """The value every fx node takes on `example` (tensors, sizes, tuples): shapes come from fake
    tensors (no arithmetic is done), unless the model looks at values, when it really runs."""
    from torch._subclasses.fake_tensor import FakeTensorMode

    try:
        with FakeTensorMode(allow_non_fake_inputs=True) as mode:
            return _record(gm, mode.from_tensor(example))
    except Exception:  # noqa: BLE001 - foreign code or file: any failure becomes one typed line
        return _record(gm, example)


def _record(gm: fx.GraphModule, example: torch.Tensor) -> dict[str, Any]:
    values: dict[str, Any] = {}

    class _Recorder(fx.Interpreter):
        def run_node(self, n: fx.Node) -> Any:
            result = super().run_node(n)
            values[n.name] = result
            return result

    with torch.no_grad():
        _Recorder(gm).run(example)
    return values
