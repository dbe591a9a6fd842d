"""The labels a block gets on the zoomed-out canvas when its title does not fit its box: the
abbreviations network diagrams use (BN, FC, GAP, …). The full title stays in the tooltip."""

from __future__ import annotations

from typing import Callable

ABBREVIATIONS: dict[str, str] = {
    "input": "In",
    "output": "Out",
    "conv2d": "Conv",
    "pointwise_conv": "1×1",
    "dilated_conv": "DConv",
    "grouped_conv": "GConv",
    "group_conv_shuffle": "GConv",
    "depthwise_separable_conv": "DWConv",
    "transposed_conv": "UpConv",
    "asymmetric_conv": "1×n",
    "batch_norm": "BN",
    "layer_norm": "LN",
    "instance_norm": "IN",
    "group_norm": "GN",
    "switchable_norm": "SN",
    "local_response_norm": "LRN",
    "weight_norm_conv": "WNConv",
    "weight_norm_linear": "WNFC",
    "ibn": "IBN",
    "max_pool": "Max",
    "avg_pool": "Avg",
    "overlapping_pool": "Max",
    "global_avg_pool": "GAP",
    "adaptive_avg_pool": "Avg",
    "adaptive_max_pool": "Max",
    "mixed_pool": "Pool",
    "leaky_relu": "LReLU",
    "sigmoid": "σ",
    "hardswish": "HSwish",
    "silu": "SiLU",
    "dropout": "Drop",
    "spatial_dropout": "Drop",
    "flatten": "Flat",
    "linear": "FC",
    "identity": "Id",
    "channel_shuffle": "Shuffle",
    "channel_split": "Split",
    "drop_path": "DropP",
    "zero_pad": "Pad",
    "bilinear_upsample": "Up",
    "zero_pad_shortcut": "Pad",
    "concat": "Cat",
    "multiply": "Mul",
    "dense_block": "Dense",
    "transition": "Trans",
    "inception": "Incep",
    "mlpconv": "NIN",
    "fire": "Fire",
    "highway": "Highway",
    "inverted_residual": "InvRes",
    "mbconv": "MBConv",
    "shufflenet_unit": "Shuffle",
    "residual_basic": "Basic",
    "bottleneck": "Bneck",
    "resnext": "ResNeXt",
    "preact_residual": "PreAct",
    "wide_residual": "WideRes",
    "squeeze_excitation": "SE",
    "custom_module": "Module",
}
"""Block id → its short label; blocks not listed (and the user's own) have none."""


def fitting_label(title: str, block_id: str, room: float, width: Callable[[str], float]) -> str:
    """`title` when it fits in `room` pixels (as measured by `width`), else the block's
    abbreviation when it fits, else the shorter of the two elided by the caller."""
    if width(title) <= room:
        return title
    short = ABBREVIATIONS.get(block_id)
    if short and width(short) <= room:
        return short
    return short or title
