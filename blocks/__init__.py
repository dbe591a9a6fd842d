"""The block catalogue: one declarative spec per block type (no Qt here)."""

from blocks.errors import BlockError, ParamValueError, ShapeMismatchError, UnknownBlockIdError
from blocks.registry import CATEGORIES, all_specs, get_spec, register
from blocks.spec import BlockSpec, Ctor, ParamSpec, Shape
from blocks import catalogue  # noqa: F401  (registers every spec)
from blocks.catalogue._common import fmt_shape as format_shape

__all__ = [
    "BlockError",
    "ParamValueError",
    "ShapeMismatchError",
    "UnknownBlockIdError",
    "CATEGORIES",
    "all_specs",
    "get_spec",
    "register",
    "BlockSpec",
    "Ctor",
    "ParamSpec",
    "Shape",
    "format_shape",
]
