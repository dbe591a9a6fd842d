"""The custom module block: any nn.Module class by import path, with its constructor arguments."""

from __future__ import annotations

from dataclasses import dataclass

from blocks.catalogue._common import fmt_shape
from blocks.custom import (
    CustomModuleError,
    load_class,
    parse_arguments,
    render_name,
    split_reference,
)
from blocks.registry import block
from blocks.spec import Ctor, ParamSpec, _render_value

CAT = "Blocks"


@dataclass(frozen=True)
class CustomCtor(Ctor):
    """A constructor call of a class named by a reference; rendered with the reference's name."""

    reference: str = ""

    def render(self) -> str:
        """Source that constructs the module, e.g. `nn.Upsample(scale_factor=2.0)` or
        `Attention(64)`."""
        parts = [_render_value(a) for a in self.args]
        parts += [f"{k}={_render_value(v)}" for k, v in self.kwargs.items()]
        return f"{render_name(self.reference)}({', '.join(parts)})"


_PARAMS = (
    ParamSpec(
        "module",
        "text",
        "torch.nn:Identity",
        "Import path of the class: package.module:Class or path/to/file.py:Class.",
        maximum=1000,
    ),
    ParamSpec(
        "args", "text", "[]", "Positional constructor arguments, as a JSON list.", maximum=20000
    ),
    ParamSpec(
        "kwargs", "text", "{}", "Keyword constructor arguments, as a JSON object.", maximum=20000
    ),
)


def _summary(p) -> str:
    try:
        return split_reference(p["module"])[1].split(".")[-1]
    except CustomModuleError:
        return "?"


def _check(p, shapes) -> str | None:
    try:
        load_class(p["module"])
        parse_arguments(p["args"], p["kwargs"])
    except CustomModuleError as exc:
        return str(exc)
    if not shapes:
        return f"needs an input, got {', '.join(fmt_shape(s) for s in shapes)}"
    return None


@block(
    id="custom_module",
    title="Custom Module",
    short_title="Custom",
    category=CAT,
    params=_PARAMS,
    summary=_summary,
    max_inputs=None,
    check=_check,
)
def custom_module(p, shapes):
    """Any PyTorch module class, by import path (package.module:Class or file.py:Class) and JSON
    constructor arguments: what an imported model has that no catalogue block expresses. Its output
    shape comes from running it on the meta device; exported code imports the class, so the user's
    module must be importable next to the exported file."""
    cls = load_class(p["module"])
    args, kwargs = parse_arguments(p["args"], p["kwargs"])
    return CustomCtor(cls, tuple(args), kwargs, reference=p["module"])
