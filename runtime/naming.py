"""Node names: valid, unique Python identifiers used as layer attributes and state_dict keys."""

from __future__ import annotations

import keyword
import re
from typing import Iterable

PREFIXES: dict[str, str] = {
    "conv2d": "conv",
    "pointwise_conv": "conv1x1",
    "dilated_conv": "dconv",
    "grouped_conv": "gconv",
    "depthwise_separable_conv": "sepconv",
    "transposed_conv": "upconv",
    "asymmetric_conv": "asymconv",
    "group_conv_shuffle": "gconv_shuffle",
    "batch_norm": "bn",
    "layer_norm": "ln",
    "instance_norm": "inorm",
    "group_norm": "gn",
    "local_response_norm": "lrn",
    "max_pool": "pool",
    "avg_pool": "avgpool",
    "overlapping_pool": "pool",
    "global_avg_pool": "avgpool",
    "linear": "fc",
    "output": "head",
    "input": "input",
    "dropout": "dropout",
    "spatial_dropout": "dropout",
    "residual_basic": "res",
    "preact_residual": "preact",
    "wide_residual": "wide",
    "dense_block": "dense",
    "squeeze_excitation": "se",
    "inverted_residual": "invres",
    "shufflenet_unit": "shuffle",
}
"""Readable name prefixes by block id; other blocks use their id."""

NN_MODULE_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "T_destination",
        "__annotations__",
        "__call__",
        "__class__",
        "__delattr__",
        "__dict__",
        "__dir__",
        "__doc__",
        "__eq__",
        "__format__",
        "__ge__",
        "__getattr__",
        "__getattribute__",
        "__getstate__",
        "__gt__",
        "__hash__",
        "__init__",
        "__init_subclass__",
        "__le__",
        "__lt__",
        "__module__",
        "__ne__",
        "__new__",
        "__reduce__",
        "__reduce_ex__",
        "__repr__",
        "__setattr__",
        "__setstate__",
        "__sizeof__",
        "__str__",
        "__subclasshook__",
        "__weakref__",
        "_apply",
        "_call_impl",
        "_compiled_call_impl",
        "_get_backward_hooks",
        "_get_backward_pre_hooks",
        "_get_name",
        "_load_from_state_dict",
        "_maybe_warn_non_full_backward_hook",
        "_named_members",
        "_register_load_state_dict_pre_hook",
        "_register_state_dict_hook",
        "_replicate_for_data_parallel",
        "_save_to_state_dict",
        "_slow_forward",
        "_version",
        "_wrapped_call_impl",
        "add_module",
        "apply",
        "bfloat16",
        "buffers",
        "call_super_init",
        "children",
        "compile",
        "cpu",
        "cuda",
        "double",
        "dump_patches",
        "eval",
        "extra_repr",
        "float",
        "forward",
        "get_buffer",
        "get_extra_state",
        "get_parameter",
        "get_submodule",
        "half",
        "ipu",
        "load_state_dict",
        "modules",
        "mtia",
        "named_buffers",
        "named_children",
        "named_modules",
        "named_parameters",
        "parameters",
        "register_backward_hook",
        "register_buffer",
        "register_forward_hook",
        "register_forward_pre_hook",
        "register_full_backward_hook",
        "register_full_backward_pre_hook",
        "register_load_state_dict_post_hook",
        "register_load_state_dict_pre_hook",
        "register_module",
        "register_parameter",
        "register_state_dict_post_hook",
        "register_state_dict_pre_hook",
        "requires_grad_",
        "set_extra_state",
        "set_submodule",
        "share_memory",
        "state_dict",
        "to",
        "to_empty",
        "train",
        "type",
        "xpu",
        "zero_grad",
    }
)
"""Every attribute of torch.nn.Module (a test keeps this equal to the installed torch), written
out so that checking a name does not load torch."""

_RESERVED = {"self", "x", "torch", "nn", "F", "super", "input"} | NN_MODULE_ATTRIBUTES
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a layer, or None when it can."""
    if not isinstance(name, str) or not _IDENT.match(name):
        return f"{name!r} is not a valid name: use letters, digits and _ and start with a letter"
    if keyword.iskeyword(name) or name in _RESERVED:
        return f"'{name}' is reserved in Python or PyTorch: choose another name"
    if len(name) > 64:
        return f"'{name[:20]}…' is longer than 64 characters"
    return None


def fresh_name(block_id: str, taken: Iterable[str]) -> str:
    """The first free name `<prefix><n>` for a new node of `block_id`."""
    used = set(taken)
    prefix = PREFIXES.get(block_id, block_id.removeprefix("user_"))  # a user's block: its name
    if block_id == "input" and "input_image" not in used:
        return "input_image"
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


def unique_identifier(hint: str, taken: set[str]) -> str:
    """A valid node name made from any text, unique against `taken` (which it joins)."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", hint) or "layer"
    if not base[:1].isalpha():
        base = "layer_" + base
    base = base[:56]
    name, i = base, 2
    while name in taken or name_problem(name):
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def file_stem(text: str, fallback: str = "network") -> str:
    """A file stem from any text: lower case letters, digits and _ ('LeNet-5' → 'lenet_5');
    it is also a valid Python module name, so an exported file can be imported as it is."""
    stem = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:64]
    if not stem:
        return fallback
    return stem if stem[0].isalpha() else f"{fallback}_{stem}"
