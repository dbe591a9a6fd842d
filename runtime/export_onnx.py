"""Export a project to ONNX with a dynamic batch dimension."""
from __future__ import annotations

import io
import logging
import warnings
from contextlib import redirect_stdout, redirect_stderr
from pathlib import Path

import torch

from runtime.compile import build_model
from runtime.errors import ConvStudioError
from runtime.project import Project


class OnnxExportError(ConvStudioError):
    """torch could not express the network in ONNX."""


def export_onnx(project: Project, out: str | Path, opset: int = 18,
                state_dict: dict[str, torch.Tensor] | None = None) -> Path:
    """Write `project` (optionally with trained weights) to an ONNX file whose batch size is dynamic."""
    out = Path(out)
    model = build_model(project).eval()
    if state_dict is not None:
        model.load_state_dict(state_dict)
    c, h, w = project.input_shape
    example = torch.randn(2, c, h, w)
    batch = torch.export.Dim("batch", min=1, max=65536)
    out.parent.mkdir(parents=True, exist_ok=True)
    chatter = io.StringIO()
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), redirect_stdout(chatter), redirect_stderr(chatter):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(model, (example,), input_names=["image"], output_names=["output"],
                                        dynamic_shapes={"x": {0: batch}}, opset_version=opset, dynamo=True,
                                        verbose=False)
            program.save(str(out))
    except Exception as exc:  # torch.onnx raises many unrelated types; all mean "cannot export"
        lines = [line for line in str(exc).splitlines() if line.strip()]
        raise OnnxExportError(f"'{project.name}' cannot be exported to ONNX: {lines[0] if lines else type(exc).__name__}"
                              ) from exc
    return out
