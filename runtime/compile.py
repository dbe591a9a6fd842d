"""Compile a project into a torch module whose layer names are the node names."""

from __future__ import annotations

import torch
from torch import nn

from runtime.analysis import Analysis
from runtime.plan import Plan, make_plan
from runtime.project import Project


class CompiledNetwork(nn.Module):
    """Runs the plan's layers in order; `state_dict` keys are `<node name>.<parameter>`."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        slots = {plan.input_name: 0}
        program = []
        for step in plan.steps:
            self.add_module(step.name, step.ctor.build())
            slots[step.name] = len(slots)
            ins = tuple(slots[n] for n in step.inputs)
            program.append((step.name, ins, slots[step.name], ins[0] if len(ins) == 1 else -1))
        self._program = program
        self._slots = len(slots)
        self._result = slots[plan.output_name]
        self.input_shape = plan.analysis.input_shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the layers in plan order, each on the outputs it is wired to; the output layer's
        result."""
        values: list = [None] * self._slots
        values[0] = x
        modules = self._modules
        for (
            name,
            ins,
            out,
            one,
        ) in self._program:  # one: the only input's slot (most layers), else -1
            if one >= 0:
                values[out] = modules[name](values[one])
            else:
                values[out] = modules[name](*[values[i] for i in ins])
        return values[self._result]

    def train(self, mode: bool = True) -> "CompiledNetwork":
        """Set training mode; the BatchNorms of frozen nodes stay in eval mode."""
        super().train(mode)
        from runtime.transfer import keep_frozen_norms_eval

        keep_frozen_norms_eval(self)
        return self

    def layer_outputs(self, x: torch.Tensor, names: set[str]) -> dict[str, torch.Tensor]:
        """Run forward and return the outputs of the layers called `names` (for feature maps)."""
        values: list = [None] * self._slots
        values[0] = x
        found = {}
        for name, ins, out, _ in self._program:
            values[out] = self._modules[name](*[values[i] for i in ins])
            if name in names:
                found[name] = values[out]
        return found


def build_model(
    project: Project, seed: int | None = 0, analysis: Analysis | None = None
) -> CompiledNetwork:
    """Build the project's network; the same seed gives the same initial weights, then the project's
    referenced weights (when it has any) replace them, and frozen nodes stop training."""
    from runtime.transfer import apply_freezing
    from runtime.weights.project_weights import apply_weights

    plan = make_plan(project, analysis)
    if seed is None:
        model = CompiledNetwork(plan)
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = CompiledNetwork(plan)
    apply_weights(model, project)
    apply_freezing(model, project)
    return model
