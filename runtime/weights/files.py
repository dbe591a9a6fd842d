"""Read and write weight files: safetensors, or a .pt/.pth state dict through weights_only
loading."""

from __future__ import annotations

import os
import pickle
import re
import warnings
import tempfile
from collections.abc import Mapping
from pathlib import Path

import torch

from runtime.errors import ConvStudioError

_ZIP_MAGIC = b"PK\x03\x04"
_PICKLE_PROTO = b"\x80"
_WRAPPERS = ("state_dict", "model_state_dict", "model", "weights", "net")


class WeightsFileError(ConvStudioError):
    """A weight file that cannot be used; names the file."""

    def __init__(self, path: str | Path | None, message: str) -> None:
        self.path = None if path is None else Path(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Name → tensor from a .safetensors file, or a .pt/.pth state dict (never unpickles code)."""
    path = Path(path)
    if not path.is_file():
        raise WeightsFileError(path, "does not exist" if not path.exists() else "is not a file")
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            tensors = load_file(str(path))
        except (SafetensorError, OSError, ValueError) as exc:
            raise WeightsFileError(path, f"is not a valid safetensors file: {exc}") from None
        # safetensors keeps no order of its own: list names naturally (layer2 before layer10)
        return {k: tensors[k] for k in sorted(tensors, key=natural_key)}
    if suffix in (".pt", ".pth", ".bin", ".ckpt"):
        return _state_dict(_load_tensors_only(path), path)
    raise WeightsFileError(path, "is not a weight file: use .safetensors, or a .pt/.pth state dict")


def _load_tensors_only(path: Path) -> object:
    """torch.load with weights_only=True, every failure as one line of our own.

    torch's own message for a refused pickle advises loading again with weights_only=False, which
    would run whatever code the file holds: that advice never reaches the user.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pickle-protocol notes from torch's safe unpickler
            return torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        if _looks_like_torch_file(path):
            raise WeightsFileError(
                path,
                "holds objects other than tensors (pickled classes or code) and is refused: "
                "only plain tensors are read; save a state dict or use .safetensors",
            ) from None
        raise WeightsFileError(path, "is not a PyTorch weight file") from None
    except Exception as exc:  # noqa: BLE001 - foreign file: any failure becomes one typed line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if not first or "weights_only" in first:
            first = type(exc).__name__
        raise WeightsFileError(path, f"cannot be read as a state dict: {first}") from None


def _looks_like_torch_file(path: Path) -> bool:
    """True for a torch.save archive (zip) or a raw pickle stream, judged by the first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    return head.startswith(_ZIP_MAGIC) or head[:1] == _PICKLE_PROTO


def natural_key(name: str) -> list[object]:
    """Sort key that orders the numbers inside names by value."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _state_dict(loaded: object, path: Path) -> dict[str, torch.Tensor]:
    if isinstance(loaded, Mapping):
        for key in _WRAPPERS:
            inner = loaded.get(key)
            if (
                isinstance(inner, Mapping)
                and inner
                and all(isinstance(v, torch.Tensor) for v in inner.values())
            ):
                loaded = inner
                break
        tensors = {str(k): v for k, v in loaded.items() if isinstance(v, torch.Tensor)}
        if tensors:
            return tensors
    raise WeightsFileError(path, "holds no tensors by name (expected a state dict)")


def write_safetensors(path: str | Path, state: Mapping[str, torch.Tensor]) -> Path:
    """Write tensors to a safetensors file atomically (contiguous CPU copies)."""
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to("cpu").contiguous().clone() for k, v in state.items()}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        save_file(tensors, tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(
            tmp, 0o666 & ~umask
        )  # mkstemp made it private; a weight file is as readable as the project
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
