"""Weight files that a weights-only load must refuse (fed to `weights --load`)."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from tests.robustness.corpus.builders import MARKER


def evil_pickle(path: Path) -> None:
    """A .pt file whose pickle would create MARKER if anything unpickled it without weights_only."""
    import pickle

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {MARKER}",)

    path.write_bytes(pickle.dumps({"conv1.weight": Payload()}))


def object_archive(path: Path) -> None:
    """A torch.save archive of an object besides its tensor (a weights-only load refuses it)."""
    import torch

    torch.save({"conv1.weight": torch.zeros(4, 1, 3, 3), "extra": Fraction(1, 3)}, path)
