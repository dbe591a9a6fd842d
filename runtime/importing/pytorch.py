"""Import a PyTorch model: load, trace with torch.fx, map to blocks, build an equivalent project."""

from __future__ import annotations

from collections import Counter

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from blocks import custom
from runtime.graph import Graph
from runtime.groups import GROUP_KEY, group_name_problem
from runtime.importing.errors import ModelImportError
from runtime.importing.fx_map import FxMapper, ImportedNode, Unmappable, module_stack
from runtime.importing.source import LoadedModel, load_model
from runtime.importing.tracing import run_values, source_line, trace
from runtime.naming import unique_identifier
from runtime.project import Project

EXAMPLE_BATCH = 3
"""Batch size of the example run (unusual, so that a hard-coded size is told apart from the
batch)."""
_FOLDABLE = ("add", "multiply", "concat")


@dataclass
class ImportResult:
    """An imported project with the weights it needs and how the original keys map onto it."""

    project: Project
    state_dict: dict[str, torch.Tensor]
    key_map: dict[str, str]
    opaque: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def import_pytorch(
    source: str, input_shape: tuple[int, int, int] = (3, 224, 224), args_text: str | None = None
) -> ImportResult:
    """Import SOURCE ('file.py:Name' or 'package.module:Name'); runs the user's code."""
    loaded = load_model(source, args_text)
    return import_module(loaded, input_shape, source.rpartition(":")[0])


def import_module(
    loaded: LoadedModel, input_shape: tuple[int, int, int], where: str
) -> ImportResult:
    """Map an already built model to a project (its weights included)."""
    model = loaded.module.eval()
    example = torch.randn(EXAMPLE_BATCH, *input_shape)
    leaves: set[str] = set()
    while True:
        gm, leaves = trace(model, loaded.files, where, leaves)
        try:
            values = run_values(gm, example)
        except Exception as exc:  # noqa: BLE001 - foreign code or file: any failure becomes one typed line
            raise ModelImportError(
                where,
                f"the model fails on a {'×'.join(map(str, input_shape))} input: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            ) from None
        mapper = FxMapper(gm, values, EXAMPLE_BATCH, leaves)
        try:
            mapper.run()
        except Unmappable as problem:
            enclosing = _opaque_candidate(model, problem)
            if enclosing is None or enclosing in leaves:
                at = source_line(problem.node, loaded.files) or where
                raise ModelImportError(
                    at,
                    f"{problem.what} in ConvStudio: put it inside a submodule of its "
                    "own to import that submodule as a custom module",
                ) from None
            leaves.add(enclosing)
            continue
        except custom.CustomModuleError as exc:
            raise ModelImportError(where, str(exc)) from None
        break
    for ref in {n.params["module"] for n in mapper.nodes.values() if n.block == "custom_module"}:
        custom.trust(ref)
    nodes = _fold_merges(_live(mapper.nodes, mapper.output_key))
    nodes, output = _attach_output(nodes, mapper.output_key)
    project = _build_project(nodes, output, input_shape, loaded.name)
    key_map, state = _weights(model, nodes, project)
    result = ImportResult(project, state, key_map, sorted(leaves))
    _check_counts(model, project, result)
    return result


def _opaque_candidate(model: nn.Module, problem: Unmappable) -> str | None:
    """The innermost enclosing submodule of the user's own (not a torch container) to keep
    opaque."""
    paths = module_stack(problem.node)
    if problem.node.op == "call_module":
        paths = [p for p in paths if p != str(problem.node.target)]
    for path in reversed(paths):
        module = model.get_submodule(path)
        if not type(module).__module__.startswith("torch."):
            return path
    return None


def _live(nodes: dict[str, ImportedNode], output: str | None) -> dict[str, ImportedNode]:
    """Only the nodes the output depends on, in their original order."""
    needed, pending = set(), [output]
    while pending:
        key = pending.pop()
        if key in needed or key is None:
            continue
        needed.add(key)
        pending.extend(nodes[key].inputs)
    return {k: n for k, n in nodes.items() if k in needed or n.block == "input"}


def _fold_merges(nodes: dict[str, ImportedNode]) -> dict[str, ImportedNode]:
    """a + b + c traces as two additions: fold a merge fed only into a merge of its kind into that
    one."""
    consumers: dict[str, list[str]] = {k: [] for k in nodes}
    for key, node in nodes.items():
        for src in node.inputs:
            consumers[src].append(key)
    for key in list(nodes):
        node = nodes[key]
        if node.block not in _FOLDABLE:
            continue
        merged: list[str] = []
        for src in node.inputs:
            inner = nodes.get(src)
            if (
                inner is not None
                and inner.block == node.block
                and consumers[src] == [key]
                and inner.context == node.context
            ):
                merged.extend(inner.inputs)
                del nodes[src]
            else:
                merged.append(src)
        node.inputs = merged
    return nodes


def _attach_output(
    nodes: dict[str, ImportedNode], output: str
) -> tuple[dict[str, ImportedNode], str]:
    """A final Linear (with bias, on a vector) becomes the Output head; otherwise a pass-through
    Output."""
    last = nodes[output]
    fed_once = sum(output in n.inputs for n in nodes.values()) == 0
    if last.block == "linear" and last.params["bias"] and fed_once:
        last.block = "output"
        last.params = {"num_classes": last.params["out_features"]}
        return nodes, output
    key = "__output__"
    nodes[key] = ImportedNode(key, "output", {"num_classes": 0}, [output], "")
    return nodes, key


def _names(nodes: dict[str, ImportedNode]) -> dict[str, str]:
    """Readable unique layer names: the module path ('layer1.0.conv1' → 'layer1_0_conv1'), or for
    functional operations the enclosing module's path when it holds only that one, else path_op."""
    per_context: dict[str, int] = {}
    for node in nodes.values():
        if node.module_path is None:
            per_context[node.context] = per_context.get(node.context, 0) + 1
    taken: set[str] = set()
    names = {}
    for key, node in nodes.items():
        if node.block == "input":
            base = "input_image"
        elif key == "__output__":
            base = "output"
        elif node.module_path is not None:
            base = node.module_path
        elif node.context and per_context[node.context] == 1:
            base = node.context
        else:
            base = f"{node.context}_{key}" if node.context else key
        names[key] = unique_identifier(base, taken)
    return names


def _build_project(
    nodes: dict[str, ImportedNode], output: str, input_shape: tuple[int, int, int], title: str
) -> Project:
    from runtime.importing.layout import layout_imported

    graph = Graph()
    names = _names(nodes)
    ids: dict[str, str] = {}
    tops = {key: (node.module_path or node.context).split(".")[0] for key, node in nodes.items()}
    sizes = Counter(tops.values())
    for key, node in nodes.items():
        extra: dict[str, Any] = {}
        if tops[key] and sizes[tops[key]] > 1 and not group_name_problem(tops[key]):
            extra[GROUP_KEY] = tops[key]  # a group per top-level module of more than one layer
        created = graph.add_node(node.block, node.params, name=names[key], extra=extra)
        ids[key] = created.id
        node.extra["name"] = names[key]
    for key, node in nodes.items():
        for port, src in enumerate(node.inputs):
            graph.connect(ids[src], ids[key], port)
    layout_imported(graph)
    return Project(graph, input_shape, title, f"Imported from PyTorch ({title}).")


def _weights(
    model: nn.Module, nodes: dict[str, ImportedNode], project: Project
) -> tuple[dict[str, str], dict[str, torch.Tensor]]:
    """Original state_dict key → compiled key, and the weights under the compiled names."""
    original = model.state_dict()
    key_map: dict[str, str] = {}
    for node in nodes.values():
        if node.module_path is None:
            continue
        prefix = node.module_path + "."
        for key in original:
            if key.startswith(prefix):
                key_map[key] = node.extra["name"] + "." + key[len(prefix) :]
    state = {key_map[k]: v.detach() for k, v in original.items() if k in key_map}
    return key_map, state


def _check_counts(model: nn.Module, project: Project, result: ImportResult) -> None:
    from runtime.weights.project_weights import network_shapes

    shapes = network_shapes(project)
    unused = [k for k in model.state_dict() if k not in result.key_map]
    if unused:
        result.warnings.append(
            f"{len(unused)} tensors of the module are not used by its forward and were "
            f"left out (first: {unused[0]})"
        )
    missing = [k for k in shapes if k not in result.state_dict]
    if missing:
        raise ModelImportError(project.name, f"internal mapping error: no weights for {missing[0]}")
    for key, value in result.state_dict.items():
        if shapes[key] != tuple(value.shape):
            raise ModelImportError(
                project.name,
                f"internal mapping error: {key} is {tuple(value.shape)} in "
                f"the module but {shapes[key]} in the graph",
            )
