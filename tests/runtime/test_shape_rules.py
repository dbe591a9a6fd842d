"""The hand-written shape rules agree with torch's own kernels, and step aside wherever torch would
refuse."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime import shape_rules
from runtime.shape_rules import broadcast, output_shape


def meta(*shape: int) -> torch.Tensor:
    """An empty meta tensor."""
    return torch.empty(shape, device="meta")


def agrees(func, *args, **kwargs) -> None:
    """The rule's shape equals torch's; where torch raises, the rule has no answer."""
    try:
        expected = tuple(func(*args, **kwargs).shape)
    except (RuntimeError, ValueError, TypeError, IndexError):
        assert output_shape(func, args, kwargs) is None, (func, args, kwargs)
        return
    got = output_shape(func, args, kwargs)
    assert got is None or got == expected, (func, args, kwargs, got, expected)


dims = st.integers(1, 12)
small = st.integers(1, 4)


@pytest.mark.filterwarnings(
    "ignore:Using padding='same':UserWarning"
)  # torch's note on even kernels
@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 3),
    size=dims,
    cin=small,
    groups=st.integers(1, 3),
    k=small,
    stride=small,
    dilation=st.integers(1, 3),
    pad=st.one_of(st.integers(0, 4), st.sampled_from(["same", "valid"])),
    per_group_out=small,
    bias=st.booleans(),
)
def test_convolution_matches_torch(
    n, size, cin, groups, k, stride, dilation, pad, per_group_out, bias
):
    func = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[n]
    x = meta(1, cin * groups, *[size] * n)
    w = meta(per_group_out * groups, cin, *[k] * n)
    b = meta(per_group_out * groups) if bias else None
    agrees(func, x, w, b, stride, pad, dilation, groups)


@settings(max_examples=200, deadline=None)
@given(
    size=dims,
    cin=small,
    cout=small,
    k=small,
    stride=small,
    pad=st.integers(0, 3),
    out_pad=st.integers(0, 3),
    dilation=st.integers(1, 2),
)
def test_transposed_convolution_matches_torch(size, cin, cout, k, stride, pad, out_pad, dilation):
    agrees(
        F.conv_transpose2d,
        meta(1, cin, size, size + 1),
        meta(cin, cout, k, k),
        None,
        stride,
        pad,
        out_pad,
        1,
        dilation,
    )


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(1, 15),
    k=st.integers(1, 5),
    stride=st.one_of(st.none(), st.integers(1, 4)),
    pad=st.integers(0, 3),
    dilation=st.integers(1, 3),
    ceil=st.booleans(),
)
def test_pooling_matches_torch(size, k, stride, pad, dilation, ceil):
    x = meta(1, 3, size, size + 2)
    agrees(F.max_pool2d, x, k, stride, pad, dilation, ceil)
    agrees(F.avg_pool2d, x, k, stride, pad, ceil)
    agrees(F.max_pool2d, x, kernel_size=(k, k + 1), stride=stride, padding=pad, ceil_mode=ceil)


@settings(max_examples=100, deadline=None)
@given(
    h=dims,
    w=dims,
    out=st.one_of(
        st.integers(0, 5),
        st.tuples(st.one_of(st.none(), st.integers(1, 5)), st.one_of(st.none(), st.integers(1, 5))),
    ),
)
def test_adaptive_pooling_matches_torch(h, w, out):
    agrees(F.adaptive_avg_pool2d, meta(1, 2, h, w), out)


@settings(max_examples=100, deadline=None)
@given(
    shapes=st.lists(st.tuples(small, small, small), min_size=1, max_size=4), dim=st.integers(-4, 3)
)
def test_concatenation_matches_torch(shapes, dim):
    agrees(torch.cat, [meta(1, *s) for s in shapes], dim)
    agrees(torch.cat, [meta(1, *s) for s in shapes], dim=dim)


@settings(max_examples=100, deadline=None)
@given(features=small, out=small, lead=st.lists(small, max_size=2))
def test_linear_matches_torch(features, out, lead):
    agrees(F.linear, meta(*lead, features), meta(out, features + (out % 2)), meta(out))


@given(a=st.lists(small, max_size=4), b=st.lists(small, max_size=4))
def test_broadcast_matches_torch(a, b):
    try:
        expected = tuple(torch.broadcast_shapes(tuple(a), tuple(b)))
    except RuntimeError:
        assert broadcast(a, b) is None
    else:
        assert broadcast(a, b) == expected


def test_mismatched_channels_are_left_to_torch_and_its_message():
    x, w = meta(1, 3, 8, 8), meta(4, 2, 3, 3)
    assert output_shape(F.conv2d, (x, w), {}) is None
    with pytest.raises(RuntimeError, match="channel"):
        F.conv2d(x, w)


def test_every_rule_is_keyed_by_a_callable():
    assert all(callable(f) and callable(r) for f, r in shape_rules.RULES.items())


def test_analysing_the_default_project_needs_no_meta_kernel():
    """The first meta kernel imports sympy and torch._dynamo (about a second of cold start)."""
    code = (
        "import sys; from runtime.cli.cmd_open import DEFAULT_PROJECT; "
        "from runtime.project import load_project; from runtime.analysis import analyze; "
        "a = analyze(load_project(DEFAULT_PROJECT)); assert a.ok, a.problems; "
        "print('sympy' in sys.modules, 'torch._dynamo' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
