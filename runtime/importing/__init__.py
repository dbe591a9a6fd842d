"""Bring your own model: import PyTorch code (torch.fx) or ONNX files as ConvStudio projects."""

from runtime.importing.errors import ModelImportError

__all__ = ["ModelImportError"]
