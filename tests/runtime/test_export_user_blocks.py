"""A user block exports as its own nn.Module class taking its input size and exposed parameters;
the exported network computes exactly what the compiled one does, and no name becomes code."""

from __future__ import annotations

import pytest
import torch

from runtime.compile import build_model
from runtime.python_export import class_name, python_source
from runtime.userblocks import install
from runtime.userblocks.definition import parse_definition
from tests.robustness.corpus import MARKER
from tests.runtime.user_block_helpers import (
    forget_user_blocks,  # noqa: F401 - fixture
    project_using,
    randomize,
)

pytestmark = pytest.mark.usefixtures("forget_user_blocks")


def define(name, layers, edges, output, exposed=(), description=""):
    """Install a block from (name, block, params) layers and (from, to) edges."""
    doc = {
        "format": "convstudio-block",
        "version": 1,
        "name": name,
        "description": description,
        "layers": [{"name": n, "block": b, "params": p} for n, b, p in layers],
        "edges": [list(e) for e in edges],
        "output": output,
        "exposed": [{"name": n, "bindings": [list(b) for b in binds]} for n, binds in exposed],
    }
    return install(parse_definition(doc))


def double_conv(name="Double Conv"):
    conv = {"out_channels": 16, "kernel_size": 3, "padding": 1}
    return define(
        name,
        [
            ("conv1", "conv2d", conv),
            ("bn1", "batch_norm", {}),
            ("relu1", "relu", {}),
            ("conv2", "conv2d", conv),
        ],  # fmt: skip
        [("<input>", "conv1"), ("conv1", "bn1"), ("bn1", "relu1"), ("relu1", "conv2")],
        "conv2",
        [("width", [("conv1", "out_channels"), ("conv2", "out_channels")])],
        "Two 3×3 convolutions.",
    )


def exported(project):
    """(the exported source, its namespace, the network class instantiated)."""
    source = python_source(project)
    namespace: dict = {"__name__": "exported"}
    exec(compile(source, "<exported>", "exec"), namespace)
    return source, namespace, namespace[class_name(project)]()


def assert_same_outputs(project, shape):
    compiled = build_model(project).eval()
    randomize(compiled)
    source, namespace, model = exported(project)
    model.eval().load_state_dict(compiled.state_dict())
    x = torch.randn(2, *shape)
    torch.testing.assert_close(model(x), compiled(x), rtol=0, atol=0)
    return source, namespace


def test_exported_block_class_takes_the_exposed_width_and_equals_compile():
    block = double_conv()
    project = project_using(block.id, {"width": 24}, {"width": 8})
    source, namespace = assert_same_outputs(project, (3, 16, 16))
    assert "class DoubleConv(nn.Module):" in source
    assert "def __init__(self, in_channels: int = 3, width: int = 24) -> None:" in source
    assert "self.conv1 = nn.Conv2d(in_channels, width, kernel_size=3, padding=1)" in source
    assert "self.conv2 = nn.Conv2d(width, width, kernel_size=3, padding=1)" in source
    assert "self.double_conv1 = DoubleConv(in_channels=3, width=24)" in source
    assert "self.double_conv2 = DoubleConv(in_channels=24, width=8)" in source
    alone = namespace["DoubleConv"](in_channels=5, width=7)
    assert alone(torch.randn(1, 5, 8, 8)).shape == (1, 7, 8, 8)


def test_a_concat_block_writes_its_channels_as_a_sum():
    block = define(
        "Grow",
        [
            ("conv", "conv2d", {"out_channels": 4, "kernel_size": 1}),
            ("cat", "concat", {}),
            ("mix", "conv2d", {"out_channels": 6, "kernel_size": 1}),
        ],  # fmt: skip
        [("<input>", "conv"), ("<input>", "cat"), ("conv", "cat"), ("cat", "mix")],
        "mix",
        [("growth", [("conv", "out_channels")])],
    )
    project = project_using(block.id, {"growth": 5}, {"growth": 3}, shape=(3, 8, 8))
    source, _ = assert_same_outputs(project, (3, 8, 8))
    assert "nn.Conv2d(in_channels + growth, 6, kernel_size=1)" in source


def test_arguments_no_expression_reproduces_become_parameters_of_their_own():
    block = define(
        "Squash",
        [
            ("conv", "conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 0}),
            ("flat", "flatten", {}),
            ("fc", "linear", {"out_features": 10}),
        ],  # fmt: skip
        [("<input>", "conv"), ("conv", "flat"), ("flat", "fc")],
        "fc",
        [("width", [("conv", "out_channels")]), ("kernel", [("conv", "kernel_size")])],
    )
    project = project_using(block.id, {"width": 4, "kernel": 3}, shape=(2, 9, 9))
    source, _ = assert_same_outputs(project, (2, 9, 9))
    # in_features = width × (9 − kernel + 1)²: not a sum, so a parameter of its own
    assert "self.fc = nn.Linear(fc_in_features, 10)" in source


def test_a_block_inside_a_block_calls_its_class_with_the_outer_parameters():
    inner = double_conv()
    outer = define(
        "Stage",
        [("pair", inner.id, {"width": 16}), ("act", "relu", {})],
        [("<input>", "pair"), ("pair", "act")],
        "act",
        [("channels", [("pair", "width")])],
    )
    project = project_using(outer.id, {"channels": 12}, {"channels": 6}, shape=(3, 8, 8))
    source, namespace = assert_same_outputs(project, (3, 8, 8))
    assert source.index("class DoubleConv(") < source.index("class Stage(")
    assert "self.pair = DoubleConv(in_channels=in_channels, width=channels)" in source
    assert namespace["Stage"](in_channels=2, channels=5)(torch.randn(1, 2, 4, 4)).shape == (
        1, 5, 4, 4)  # fmt: skip


@pytest.mark.parametrize(
    "hostile",
    [
        f'x"""\nopen("{MARKER}", "w")\n"""',
        "__import__('os').system('touch PWNED')",
        "Sequential",  # a name the file uses already
    ],
)
def test_a_hostile_block_name_or_description_never_becomes_code(hostile, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    block = double_conv(name=hostile.replace("\n", " "))
    block = install(block.renamed(block.name, description=hostile))
    project = project_using(block.id, {"width": 4}, shape=(3, 8, 8))
    source, namespace = assert_same_outputs(project, (3, 8, 8))
    assert not (tmp_path / MARKER).exists()
    names = [n for n, v in namespace.items() if isinstance(v, type)]
    assert all(n.isidentifier() for n in names)
