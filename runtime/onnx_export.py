"""Export a project to ONNX with a dynamic batch dimension."""

from __future__ import annotations

import io
import logging
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import torch

from runtime.atomic_write import atomic_path, check_target
from runtime.compile import build_model
from runtime.errors import ConvStudioError
from runtime.project import Project


class OnnxExportError(ConvStudioError):
    """torch could not express the network in ONNX."""


def export_onnx(
    project: Project,
    out: str | Path,
    opset: int = 18,
    state_dict: dict[str, torch.Tensor] | None = None,
) -> Path:
    """Write `project` (optionally with trained weights) to an ONNX file whose batch size is
    dynamic."""
    out = Path(out)
    check_target(out)  # before the export, which takes seconds
    model = build_model(project).eval()
    if state_dict is not None:
        model.load_state_dict(state_dict)
    c, h, w = project.input_shape
    example = torch.randn(2, c, h, w)
    batch = torch.export.Dim("batch", min=1, max=65536)
    chatter = io.StringIO()
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), redirect_stdout(chatter), redirect_stderr(chatter):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                model,
                (example,),
                input_names=["image"],
                output_names=["output"],
                dynamic_shapes={"x": {0: batch}},
                opset_version=opset,
                dynamo=True,
                verbose=False,
            )
    except Exception as exc:  # torch.onnx raises many unrelated types; all mean "cannot export"
        raise OnnxExportError(
            f"'{project.name}' cannot be exported to ONNX: {_first_line(exc)}"
        ) from exc
    try:
        # a failed or interrupted write leaves an existing file as it was
        with atomic_path(out) as tmp, redirect_stdout(chatter), redirect_stderr(chatter):
            program.save(str(tmp), external_data=False)
    except ConvStudioError:
        raise
    except Exception as exc:  # e.g. a model past protobuf's 2 GB limit
        raise OnnxExportError(
            f"'{project.name}' cannot be saved as ONNX to {out}: {_first_line(exc)}"
        ) from exc
    return out


def _first_line(exc: Exception) -> str:
    """The first non-empty line of an exception's message (its type when there is none)."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
