"""Export a trained model: a module that loads its weights, normalises raw pixels and predicts."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from safetensors.torch import save as safetensors_bytes

from runtime.atomic_write import write_atomic
from runtime.codegen import trained_template as template
from runtime.codegen.errors import ExportError
from runtime.codegen.identifiers import module_stem_problem
from runtime.codegen.module import assemble, class_name
from runtime.codegen.user_imports import user_module_problem
from runtime.compile import build_model
from runtime.plan import Plan, make_plan
from runtime.preprocessing import Preprocessing, measure_preprocessing
from runtime.project import Project
from runtime.segmentation.errors import OutputSizeError
from runtime.segmentation.output_fit import output_fit
from runtime.training.checkpoint import read_checkpoint


@dataclass(frozen=True)
class TrainedExport:
    """The files one trained export wrote: the module and its two weights files."""

    code: Path
    safetensors: Path
    state_dict: Path


def module_stem(project: Project) -> str:
    """The file name without `.py`: the class name in lower case, never a module it imports."""
    stem = class_name(project).lower()
    taken = module_stem_problem(stem) or user_module_problem(stem, project)
    return stem + "_model" if taken else stem


def trained_source(project: Project, prep: Preprocessing, stem: str, source: str) -> str:
    """The trained module's source text; ExportError when the network and the data do not agree."""
    plan = make_plan(project)
    _check_agrees(plan, prep)
    cls = class_name(project)
    margin = None
    if project.task == "segmentation":
        try:
            margin = output_fit(plan.analysis).margin
        except OutputSizeError as exc:
            raise ExportError(str(exc), node_id=exc.node_id) from None
    segmenting = margin is not None
    return assemble(
        project,
        plan,
        cls,
        source,
        template.usage(stem, prep, margin),
        template.main(segmenting),
        extra_imports=template.IMPORTS,
        constants=template.constants(stem, prep, margin),
        functions=template.functions(cls, segmenting),
    )


def _check_agrees(plan: Plan, prep: Preprocessing) -> None:
    """The input size and the head's output count must be those the preprocessing describes."""
    shape = tuple(plan.analysis.input_shape)
    if shape != prep.input_shape:
        raise ExportError(
            f"the network's input is {'×'.join(map(str, shape))} but it was trained on "
            f"{'×'.join(map(str, prep.input_shape))} images"
        )
    out = plan.analysis.nodes[plan.analysis.output_id].out_shape
    if len(out) in (1, 3) and out[0] != len(prep.classes):
        raise ExportError(
            f"the head has {out[0]} outputs but the data has {len(prep.classes)} classes",
            node_id=plan.analysis.output_id,
        )


def _weights(meta: dict[str, Any], project: Project) -> dict[str, torch.Tensor]:
    """The checkpoint's tensors, checked against the network's names and shapes."""
    folder = Path(meta["_folder"])
    name = meta.get("weights")
    if not isinstance(name, str) or not name or PurePath(name).name != name or name in (".", ".."):
        raise ExportError("checkpoint 'weights' must name a file beside the checkpoint", folder)
    path = folder / name
    try:
        tensors = load_file(str(path))
    except (OSError, SafetensorError) as exc:
        raise ExportError(f"weights cannot be read: {exc}", path) from None
    with torch.device("meta"):
        expected = {
            k: tuple(v.shape) for k, v in build_model(project, seed=None).state_dict().items()
        }
    for key, shape in expected.items():
        if key not in tensors:
            raise ExportError(
                f"weights lack '{key}': was the graph changed since this checkpoint?", path
            )
        if tuple(tensors[key].shape) != shape:
            raise ExportError(
                f"'{key}' has shape {tuple(tensors[key].shape)}, the network needs {shape}", path
            )
    extra = sorted(set(tensors) - set(expected))
    if extra:
        raise ExportError(f"weights hold '{extra[0]}', which the network does not have", path)
    return {k: tensors[k].contiguous() for k in expected}


def _preprocessing(meta: dict[str, Any], project: Project, where: Path) -> Preprocessing:
    """Stored with the checkpoint; measured again from the data for checkpoints older than that."""
    if "preprocessing" in meta:
        return Preprocessing.from_dict(meta["preprocessing"], where)
    return measure_preprocessing(project)


def export_trained_model(
    project: Project, checkpoint: str | Path, out_dir: str | Path, stem: str | None = None
) -> TrainedExport:
    """Write `<stem>.py` with `<stem>.safetensors` and `<stem>.pt` beside it into `out_dir`.

    `stem` defaults to the class name in lower case. The weights go first and the module last, each
    written atomically, so the module never exists without its weights.
    """
    out_dir = Path(out_dir)
    stem = stem or module_stem(project)
    problem = module_stem_problem(stem) or user_module_problem(stem, project)
    if problem:
        raise ExportError(problem, out_dir / f"{stem}.py")
    meta = read_checkpoint(checkpoint)
    where = Path(checkpoint)
    prep = _preprocessing(meta, project, where)
    tensors = _weights(meta, project)
    source = trained_source(
        project, prep, stem, project.path.name if project.path else "a ConvStudio project"
    )
    files = TrainedExport(
        out_dir / f"{stem}.py", out_dir / f"{stem}.safetensors", out_dir / f"{stem}.pt"
    )
    write_atomic(files.safetensors, safetensors_bytes(tensors, metadata={"format": "pt"}))
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    write_atomic(files.state_dict, buffer.getvalue())
    write_atomic(files.code, source)
    return files


def export_trained(
    project: Project, checkpoint: str | Path, out_dir: str | Path
) -> tuple[Path, Path]:
    """Write the trained module and its weights into `out_dir`; returns (module, .safetensors)."""
    files = export_trained_model(project, checkpoint, out_dir)
    return files.code, files.safetensors
