"""The network's input and its classifier head."""

from __future__ import annotations


from blocks.catalogue._common import int_param
from blocks.lazy import lazy
from blocks.registry import block
from blocks.spec import GLOBAL_RF, Ctor

nn = lazy("torch.nn")
head_modules = lazy("blocks.modules.head")

CAT = "Input/Output"


@block(
    id="input", title="Input", category=CAT, min_inputs=0, max_inputs=0, summary=lambda p: "image"
)
def input_block(p, shapes):
    """The image entering the network, C×H×W (the project's input size; batch dimension implied)."""
    return Ctor(nn.Identity)


@block(
    id="output",
    title="Output (Classifier Head)",
    short_title="Output Head",
    category=CAT,
    params=(
        int_param(
            "num_classes",
            10,
            "Number of classes; 0 passes the input through as the output.",
            0,
            1 << 20,
        ),
    ),
    summary=lambda p: f"{p['num_classes']} classes" if p["num_classes"] else "output",
    receptive=lambda p: GLOBAL_RF if p["num_classes"] else ((1, 1),),
)
def output(p, shapes):
    """The network's output: flattens what it gets and maps it to one score per class with a fully
    connected layer (or, with 0 classes, passes the tensor through, e.g. for segmentation maps)."""
    if p["num_classes"] == 0:
        return Ctor(nn.Identity)
    shape = shapes[0]
    if len(shape) == 1:
        return Ctor(nn.Linear, (shape[0], p["num_classes"]))
    features = 1
    for d in shape:
        features *= d
    return Ctor(head_modules.ClassifierHead, (features, p["num_classes"]))
