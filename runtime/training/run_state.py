"""The mutable state of one training run: setup, position, generators, tallies, probes."""

from __future__ import annotations

import math
from pathlib import Path

import torch

from runtime.segmentation.metrics import correct_pixels
from runtime.training.control import Control
from runtime.training.events import Started
from runtime.training.finetune import FineTune
from runtime.training.health import HEALTH_IMAGES, HealthProbe
from runtime.training.run_exchange import epoch_seed
from runtime.training.setup import Setup
from runtime.training.tally import Tally, correct_labels


class RunState:
    """Mutable state of one run; the mixins of `runtime.training.run` drive it."""

    def __init__(self, setup: Setup, control: Control, out_dir: Path | None) -> None:
        self.s = setup
        self.control = control
        self.out_dir = out_dir
        self.world = setup.world
        self.gen = torch.Generator(device=setup.device).manual_seed(setup.settings.seed)
        if self.world is not None:
            self.gen.manual_seed(epoch_seed(setup.settings.seed, self.world.rank, 0))
        self.step = 0
        self.epoch = 0
        self.best: float | None = None
        self.checkpoint: str | None = None
        self.probe_x = setup.data.probe_batch()
        self.health = HealthProbe(setup.model, setup.layer_names, setup.optimizer)
        self.health_x = setup.data.probe_batch(HEALTH_IMAGES)
        self.next_probe = 0.0 if self.world is None or self.world.main else math.inf
        self.probes = 0
        self.micro = 0
        """Iterations whose gradients are summed so far towards the next update (accumulation)."""
        self.stop_agreed = False
        """Distributed: every process agreed at the last exchange of metrics to stop."""
        self.ended_together = False
        """The run reached its last epoch or an agreed stop, as every process does at once."""
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(setup.settings.precision)
        self.autocast = dtype if setup.device.type == "cuda" else None
        self.scaler = torch.amp.GradScaler("cuda") if self.autocast == torch.float16 else None
        self.check_every = 1 if setup.device.type == "cpu" else setup.settings.log_every
        self.read_loss = self.check_every == 1
        self.tally = Tally(setup.device, correct_pixels if setup.segmentation else correct_labels)
        self.epoch_loss = self.epoch_correct = self.epoch_counted = 0.0
        st = setup.settings
        self.finetune = FineTune(
            setup.model, setup.project, setup.schedule, st.head_epochs, st.finetune_lr_factor
        )
        self.skip = 0
        """Batches of the current epoch a mid-epoch checkpoint had already trained (skipped on
        resume)."""
        self.epoch_step = 0
        """Batches of the current epoch trained so far (skipped ones included)."""
        self.epoch_rng = self.gen.get_state()
        self.notes: list[str] = []
        """Warnings found while resuming."""

    def stopping(self) -> bool:
        """Whether to stop: this process's request alone, or what all agreed when distributed."""
        return self.stop_agreed if self.world is not None else self.control.stopping

    def started(self) -> Started:
        """The first event."""
        d, st = self.s.data, self.s.settings
        return Started(
            st.epochs,
            d.steps_per_epoch(st.batch_size),
            min(st.batch_size, d.train_size),
            d.train_size,
            d.val_size,
            d.classes,
            str(self.s.device),
            d.first_val_image(),
            self.epoch,
            processes=self.s.processes,
            global_batch=self.s.global_batch,
            probe_input=self.probe_x[0].detach().float().cpu().numpy(),
        )
