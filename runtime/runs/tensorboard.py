"""TensorBoard event files for a run (the optional extra `convstudio[tensorboard]`), written through
torch.utils.tensorboard into `<run folder>/tensorboard`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.runs.errors import RunError

INSTALL_HINT = (
    "TensorBoard logging needs the tensorboard package: pip install 'convstudio[tensorboard]'"
)
FOLDER = "tensorboard"


def require() -> None:
    """RunError with the install line when TensorBoard cannot be written."""
    try:
        from torch.utils.tensorboard import SummaryWriter  # noqa: F401
    except ImportError:
        raise RunError(None, INSTALL_HINT) from None


class TensorBoardLog:
    """Scalars of one run: training loss, accuracy and learning rate per step; validation per
    epoch."""

    def __init__(self, run_folder: Path) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise RunError(None, INSTALL_HINT) from None
        self.writer: Any = SummaryWriter(log_dir=str(run_folder / FOLDER))

    def step(self, step: int, loss: float, accuracy: float, lr: float) -> None:
        """One reported training step."""
        self.writer.add_scalar("train/loss", loss, step)
        self.writer.add_scalar("train/accuracy", accuracy, step)
        self.writer.add_scalar("train/lr", lr, step)

    def epoch(
        self, step: int, val_loss: float, val_accuracy: float, miou: float | None = None
    ) -> None:
        """One epoch's validation figures (with mIoU when segmenting), at the step it ended."""
        self.writer.add_scalar("val/loss", val_loss, step)
        self.writer.add_scalar("val/accuracy", val_accuracy, step)
        if miou is not None:
            self.writer.add_scalar("val/miou", miou, step)
        self.writer.flush()

    def close(self) -> None:
        """Flush and close the event file."""
        self.writer.close()
