"""Export a training script to take away: model.py, train.py, the initial weights, the data
(a bundled or in-memory set, copied) and a README, needing only torch (and Pillow for folders)."""

from __future__ import annotations

import ast
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from runtime.atomic_write import write_atomic
from runtime.codegen import train_script_template as template
from runtime.codegen.errors import ExportError
from runtime.codegen.literals import docstring_text, literal
from runtime.compile import build_model
from runtime.data import parse_data
from runtime.data.device import DeviceData
from runtime.data.source import open_data
from runtime.python_export import class_name, python_source
from runtime.project import Project
from runtime.training.recipe import initialise
from runtime.training.settings import parse_training

SCRIPT_SETTINGS = (
    "optimizer",
    "lr",
    "momentum",
    "weight_decay",
    "batch_size",
    "epochs",
    "schedule",
    "step_epochs",
    "gamma",
    "loss",
    "label_smoothing",
    "focal_gamma",
    "seed",
    "device",
    "threads",
)
"""The settings train.py follows (the rest concern the app: probes, logging, compiling)."""


@dataclass(frozen=True)
class TrainScript:
    """The files one export wrote."""

    folder: Path
    files: tuple[Path, ...]


def _check_supported(project: Project) -> None:
    """Refuse, in one line, settings train.py does not reproduce."""
    s = parse_training(project.training)
    unsupported = {
        "head_epochs": s.head_epochs > 0,
        "accumulate": s.accumulate > 1,
        "precision": s.precision != "fp32",
    }
    for key, bad in unsupported.items():
        if bad:
            raise ExportError(
                f"the training script does not reproduce the setting '{key}' "
                f"({getattr(s, key)}); set it back to its default to export it"
            )


def _tensor_file(tensors: dict[str, Any]) -> bytes:
    """A torch.save file that torch.load(weights_only=True) reads (tensors and plain values)."""
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    return buffer.getvalue()


def _data(project: Project) -> tuple[dict[str, Any], tuple[str, ...], bytes | None]:
    """(DATA for train.py, class names, the data file's bytes or None for a folder)."""
    base = project.path.parent if project.path else None
    ds = parse_data(project.data, project.input_shape, base)
    aug = {
        "crop_padding": ds.augment.crop_padding,
        "flip": ds.augment.flip,
        "pca_jitter": ds.augment.pca_jitter,
    }
    seed = parse_training(project.training).seed
    if ds.source == "folder":
        from runtime.data.splits import open_splits

        classes = tuple(open_splits(ds).classes)
        folder = {"kind": "folder", "folder": str(ds.path), "validation": ds.validation}
        return {**folder, "split_seed": ds.split_seed, "augment": aug}, classes, None
    if ds.lazy:
        raise ExportError(
            f"the training script reads in-memory data sets and image folders, not a "
            f"{ds.source} source"
        )
    data = open_data(ds, project.input_shape, torch.device("cpu"), seed)
    assert isinstance(data, DeviceData)
    tensors = {
        "train_x": data.train_x.contiguous(),
        "train_y": data.train_y.contiguous(),
        "val_x": data.val_x.contiguous(),
        "val_y": data.val_y.contiguous(),
        "mean": data.mean.view(-1).contiguous(),
        "std": data.std.view(-1).contiguous(),
    }
    if data.pca is not None:
        tensors["pca_values"], tensors["pca_vectors"] = data.pca
    spec = {"kind": "bundled", "file": "data.pt", "augment": aug}
    return spec, tuple(data.classes), _tensor_file(tensors)


def train_source(project: Project, data: dict[str, Any], classes: tuple[str, ...]) -> str:
    """train.py's text; checked to parse, every user value a literal."""
    s = parse_training(project.training).to_dict()
    settings = {k: s[k] for k in SCRIPT_SETTINGS}
    title = docstring_text(project.name)
    text = template.HEADER.format(title=title) + template.BODY.format(
        cls=class_name(project),
        settings=literal(settings),
        data=literal(data),
        input_shape=literal(tuple(project.input_shape)),
        classes=literal(tuple(classes)),
    )
    try:
        ast.parse(text)
    except SyntaxError as exc:  # a bug, never a user's text: literals cannot break the syntax
        raise ExportError(f"the generated train.py does not parse ({exc.msg})") from None
    return text


def initial_weights(project: Project) -> dict[str, torch.Tensor]:
    """The weights a ConvStudio run of this project starts from (seeded build, initialisation,
    referenced pretrained weights)."""
    s = parse_training(project.training)
    model = build_model(project, s.seed)
    initialise(model, s)
    from runtime.weights.project_weights import apply_weights

    apply_weights(model, project)
    return {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}


def export_train_script(project: Project, out_dir: str | Path) -> TrainScript:
    """Write model.py, train.py, initial.pt, data.pt (in-memory sets) and README.md into
    `out_dir`; files it would replace are replaced atomically."""
    _check_supported(project)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExportError("the train-script export needs a folder, and this is a file", out)
    out.mkdir(parents=True, exist_ok=True)
    source = project.path.name if project.path else "a ConvStudio project"
    data, classes, data_bytes = _data(project)
    written = []
    if data_bytes is not None:
        write_atomic(out / "data.pt", data_bytes)
        written.append(out / "data.pt")
    write_atomic(out / "initial.pt", _tensor_file(initial_weights(project)))
    write_atomic(out / "model.py", python_source(project, source))
    write_atomic(out / "train.py", train_source(project, data, classes))
    s = parse_training(project.training)
    data_line = (
        "- `data.pt`: the training and validation images of the run, already split "
        "(uint8 tensors) with the training split's mean and standard deviation."
        if data_bytes is not None
        else f"- The images are read from {docstring_text(data['folder'])} "
        "(one sub-folder per class; `--data DIR` reads another)."
    )
    readme = template.README.format(
        title=docstring_text(project.name),
        source=docstring_text(source),
        cls=class_name(project),
        summary=f"{s.optimizer}, learning rate {s.lr:g}, {s.schedule} schedule, {s.epochs} epochs",
        data_line=data_line,
        batch=s.batch_size,
    )
    write_atomic(out / "README.md", readme)
    written += [out / "initial.pt", out / "model.py", out / "train.py", out / "README.md"]
    pycache = out / "__pycache__"
    if pycache.is_dir():
        shutil.rmtree(pycache, ignore_errors=True)  # stale bytecode of an earlier export
    return TrainScript(out, tuple(written))
