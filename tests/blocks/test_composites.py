"""Composite blocks reproduce the reference implementations exactly: parameter counts of single
blocks and of whole classic networks built from them, projections only when needed, clear
refusals."""

from __future__ import annotations

import pytest
import torch

from blocks import BlockError, get_spec
from blocks.modules.misc_blocks import StochasticDepth
from runtime.analysis import analyze
from runtime.graph import Graph, chain
from runtime.project import Project


def build(block: str, params: dict, shape: tuple[int, ...]) -> torch.nn.Module:
    """The block's module for one input of `shape`, after its check passes."""
    spec = get_spec(block)
    p = spec.resolve(params)
    assert spec.check is None or spec.check(p, [shape]) is None
    return spec.make(p, [shape]).build()


def count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def problem(block: str, params: dict, shape: tuple[int, ...]) -> str | None:
    spec = get_spec(block)
    return spec.check(spec.resolve(params), [shape])


@pytest.mark.parametrize(
    "block, params, shape, expected",
    [
        # 2·(9·64·64) + 2·128
        ("residual_basic", {}, (64, 8, 8), 73984),
        # 9·32·64 + 128 + 9·64·64 + 128 + 1×1 projection 32·64 + 128
        ("residual_basic", {"stride": 2}, (32, 8, 8), 57728),
        # 256·64 + 128 + 9·64·64 + 128 + 64·256 + 512
        ("bottleneck", {}, (256, 8, 8), 70400),
        # width int(128·4/64)·32 = 256:
        # 256·256 + 512 + 9·256·8 + 512 + 256·512 + 1024 + projection 256·512 + 1024
        ("resnext", {"planes": 128}, (256, 8, 8), 349184),
        # SE on 256 channels, r = 16: 256·16 + 16 + 16·256 + 256
        ("bottleneck", {"se_reduction": 16}, (256, 8, 8), 70400 + 8464),
        ("squeeze_excitation", {}, (256, 8, 8), 8464),
        ("residual_basic", {"se_reduction": 16}, (64, 8, 8), 73984 + 64 * 4 + 4 + 4 * 64 + 64),
        ("preact_residual", {}, (64, 8, 8), 73984),
        # 128 + 9·64·128 + 256 + 9·128·128 + projection 64·128 (no BN)
        ("preact_residual", {"out_channels": 128, "stride": 2}, (64, 8, 8), 229760),
        ("transition", {}, (256, 8, 8), 512 + 256 * 128),
        ("fire", {}, (96, 8, 8), 96 * 16 + 16 + 16 * 64 + 64 + 9 * 16 * 64 + 64),
        # torchvision GoogLeNet inception3a (its '5×5' branch is 3×3)
        (
            "inception",
            {"big_kernel": 3},
            (192, 8, 8),
            192 * 64
            + 128
            + 192 * 96
            + 192
            + 9 * 96 * 128
            + 256
            + 192 * 16
            + 32
            + 9 * 16 * 32
            + 64
            + 192 * 32
            + 64,
        ),
        ("inverted_residual", {}, (24, 8, 8), 8832),
        ("mbconv", {"out_channels": 24, "stride": 2}, (16, 8, 8), 6004),
        ("shufflenet_unit", {}, (116, 8, 8), 7598),
        (
            "mlpconv",
            {"out_channels": 96},
            (3, 8, 8),
            3 * 192 * 25 + 192 + 192 * 160 + 160 + 160 * 96 + 96,
        ),
        ("highway", {}, (16, 8, 8), 2 * (9 * 16 * 16 + 16)),
    ],
)
def test_single_block_parameter_counts(block, params, shape, expected):
    assert count(build(block, params, shape)) == expected


def test_projection_shortcut_only_when_the_shape_changes():
    assert build("residual_basic", {}, (64, 8, 8)).downsample is None
    assert build("residual_basic", {"stride": 2}, (64, 8, 8)).downsample is not None
    assert build("residual_basic", {"out_channels": 128}, (64, 8, 8)).downsample is not None
    assert build("bottleneck", {}, (256, 8, 8)).downsample is None
    assert build("bottleneck", {}, (64, 8, 8)).downsample is not None
    assert build("preact_residual", {}, (64, 8, 8)).shortcut is None
    assert build("wide_residual", {"out_channels": 16}, (16, 8, 8)).convShortcut is None
    assert build("wide_residual", {}, (16, 8, 8)).convShortcut is not None
    assert build("inverted_residual", {"out_channels": 24}, (24, 8, 8)).use_res_connect
    assert not build(
        "inverted_residual", {"out_channels": 24, "stride": 2}, (24, 8, 8)
    ).use_res_connect


def test_torchvision_state_dict_names():
    keys = set(build("bottleneck", {"se_reduction": 16}, (64, 8, 8)).state_dict())
    assert {
        "conv1.weight",
        "bn3.running_var",
        "downsample.0.weight",
        "downsample.1.bias",
        "se.fc1.bias",
    } <= keys
    assert "denselayer6.conv2.weight" in build("dense_block", {}, (64, 8, 8)).state_dict()
    assert "branch4.1.bn.weight" in build("inception", {}, (64, 8, 8)).state_dict()
    assert {"block.0.0.weight", "block.2.fc2.weight", "block.3.1.weight"} <= set(
        build("mbconv", {}, (16, 8, 8)).state_dict()
    )


def test_output_channels():
    out = build("dense_block", {"num_layers": 4, "growth_rate": 12}, (24, 8, 8))(
        torch.randn(1, 24, 8, 8)
    )
    assert out.shape == (1, 24 + 4 * 12, 8, 8)
    assert build("bottleneck", {"planes": 32, "stride": 2}, (16, 8, 8))(
        torch.randn(1, 16, 8, 8)
    ).shape == (1, 128, 4, 4)


@pytest.mark.parametrize(
    "block, params, shape, words",
    [
        ("bottleneck", {"planes": 8, "base_width": 4}, (64, 8, 8), "raise planes or base_width"),
        ("residual_basic", {"se_reduction": 128}, (16, 8, 8), "se_reduction at most 64"),
        ("squeeze_excitation", {}, (8, 8, 8), "reduction at most 8"),
        ("shufflenet_unit", {}, (24, 8, 8), "set out_channels to 24"),
        ("shufflenet_unit", {"out_channels": 115, "stride": 2}, (24, 8, 8), "must be even"),
        ("inverted_residual", {"stride": 3}, (24, 8, 8), "use 1 or 2"),
        ("mbconv", {"kernel_size": 4}, (16, 8, 8), "must be odd"),
        ("inception", {"big_kernel": 4}, (64, 8, 8), "must be odd"),
        ("transition", {}, (64, 1, 1), "smaller than"),
        ("residual_basic", {}, (64,), "Flatten"),
    ],
)
def test_check_messages_name_what_to_change(block, params, shape, words):
    spec = get_spec(block)
    try:
        message = spec.check(spec.resolve(params), [shape])
    except BlockError as exc:  # flat inputs are refused by raising ShapeMismatchError
        message = str(exc)
    assert message and words in message


def test_stochastic_depth_drops_whole_samples_at_train_time_only():
    layer = StochasticDepth(0.5)
    x = torch.ones(400, 3, 2, 2)
    torch.manual_seed(0)
    y = layer.train()(x)
    per_sample = y.flatten(1)
    assert set(per_sample.unique().tolist()) == {0.0, 2.0}
    assert bool((per_sample == per_sample[:, :1]).all())
    assert 120 < int((per_sample[:, 0] == 0).sum()) < 280
    assert torch.equal(layer.eval()(x), x)
    block = build("residual_basic", {"stochastic_depth": 0.3}, (8, 4, 4)).eval()
    z = torch.randn(2, 8, 4, 4)
    assert torch.equal(block(z), block(z))


def network(shape, layers) -> int:
    graph = Graph()
    ids = chain(graph, [("input", {})] + layers + [("output", {"num_classes": 1000})])
    assert len(ids) == len(layers) + 2
    analysis = analyze(Project(graph, shape))
    assert analysis.ok, [p.message for p in analysis.problems]
    return analysis.params


def conv_bn(out, k=3, s=1, act="relu", eps=1e-5):
    layers = [
        ("conv2d", {"out_channels": out, "kernel_size": k, "stride": s, "bias": False}),
        ("batch_norm", {"eps": eps}),
    ]
    return layers + ([(act, {})] if act else [])


def stages(block, widths, depths, key, **extra):
    layers = []
    for i, (width, depth) in enumerate(zip(widths, depths)):
        for j in range(depth):
            layers.append((block, {key: width, "stride": 2 if j == 0 and i > 0 else 1, **extra}))
    return layers


RESNET_STEM = conv_bn(64, 7, 2) + [("max_pool", {"kernel_size": 3, "stride": 2, "padding": 1})]
GAP = [("global_avg_pool", {})]


@pytest.mark.parametrize(
    "name, expected, extra, block",
    [
        ("resnet50", 25557032, {}, "bottleneck"),
        ("se_resnet50", 28088024, {"se_reduction": 16}, "bottleneck"),
        ("resnext50_32x4d", 25028904, {}, "resnext"),
    ],
)
def test_resnet_family_parameter_counts(name, expected, extra, block):
    body = stages(block, (64, 128, 256, 512), (3, 4, 6, 3), "planes", **extra)
    assert network((3, 64, 64), RESNET_STEM + body + GAP) == expected


def test_densenet121_parameter_count():
    layers = conv_bn(64, 7, 2) + [("max_pool", {"kernel_size": 3, "stride": 2, "padding": 1})]
    channels = 64
    for i, n in enumerate((6, 12, 24, 16)):
        layers.append(("dense_block", {"num_layers": n}))
        channels += 32 * n
        if i < 3:
            channels //= 2
            layers.append(("transition", {"out_channels": channels}))
    assert network((3, 64, 64), layers + [("batch_norm", {}), ("relu", {})] + GAP) == 7978856


def test_googlenet_parameter_count():
    pool = ("max_pool", {"kernel_size": 3, "stride": 2, "ceil_mode": True})
    names = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")

    def inc(*values):
        return ("inception", dict(zip(names, values), big_kernel=3))

    layers = (
        conv_bn(64, 7, 2, eps=0.001)
        + [pool]
        + conv_bn(64, 1, eps=0.001)
        + conv_bn(192, 3, eps=0.001)
        + [
            pool,
            inc(64, 96, 128, 16, 32, 32),
            inc(128, 128, 192, 32, 96, 64),
            pool,
            inc(192, 96, 208, 16, 48, 64),
            inc(160, 112, 224, 24, 64, 64),
            inc(128, 128, 256, 24, 64, 64),
            inc(112, 144, 288, 32, 64, 64),
            inc(256, 160, 320, 32, 128, 128),
            ("max_pool", {"kernel_size": 2, "stride": 2, "ceil_mode": True}),
            inc(256, 160, 320, 32, 128, 128),
            inc(384, 192, 384, 48, 128, 128),
        ]
        + GAP
    )
    assert network((3, 64, 64), layers) == 6624904


def test_mobilenet_v2_parameter_count():
    layers = conv_bn(32, 3, 2, "relu6")
    for t, c, n, s in (
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 2),
        (6, 320, 1, 1),
    ):
        layers += [
            (
                "inverted_residual",
                {"out_channels": c, "stride": s if i == 0 else 1, "expand_ratio": t},
            )
            for i in range(n)
        ]
    assert network((3, 64, 64), layers + conv_bn(1280, 1, 1, "relu6") + GAP) == 3504872


def test_efficientnet_b0_parameter_count():
    layers = conv_bn(32, 3, 2, "silu")
    for t, k, s, c, n in (
        (1, 3, 1, 16, 1),
        (6, 3, 2, 24, 2),
        (6, 5, 2, 40, 2),
        (6, 3, 2, 80, 3),
        (6, 5, 1, 112, 3),
        (6, 5, 2, 192, 4),
        (6, 3, 1, 320, 1),
    ):
        layers += [
            (
                "mbconv",
                {
                    "out_channels": c,
                    "kernel_size": k,
                    "stride": s if i == 0 else 1,
                    "expand_ratio": t,
                },
            )
            for i in range(n)
        ]
    assert network((3, 64, 64), layers + conv_bn(1280, 1, 1, "silu") + GAP) == 5288548


def test_shufflenet_v2_x1_parameter_count():
    layers = conv_bn(24, 3, 2) + [("max_pool", {"kernel_size": 3, "stride": 2, "padding": 1})]
    for width, depth in ((116, 4), (232, 8), (464, 4)):
        layers += [
            ("shufflenet_unit", {"out_channels": width, "stride": 2 if i == 0 else 1})
            for i in range(depth)
        ]
    assert network((3, 64, 64), layers + conv_bn(1024, 1) + GAP) == 2278604


def test_squeezenet_1_0_parameter_count():
    pool = ("max_pool", {"kernel_size": 3, "stride": 2, "ceil_mode": True})

    def fire(s, e):
        return ("fire", {"squeeze": s, "expand1x1": e, "expand3x3": e})

    layers = [
        ("conv2d", {"out_channels": 96, "kernel_size": 7, "stride": 2, "padding": 0}),
        ("relu", {}),
        pool,
        fire(16, 64),
        fire(16, 64),
        fire(32, 128),
        pool,
        fire(32, 128),
        fire(48, 192),
        fire(48, 192),
        fire(64, 256),
        pool,
        fire(64, 256),
        ("conv2d", {"out_channels": 1000, "kernel_size": 1}),
        ("relu", {}),
    ] + GAP
    graph = Graph()
    chain(graph, [("input", {})] + layers + [("output", {"num_classes": 0})])
    assert analyze(Project(graph, (3, 96, 96))).params == 1248424


def test_wide_resnet_28_10_parameter_count():
    """WRN-28-10 for CIFAR-10 as in xternalz/WideResNet-pytorch (convs without bias): 36,479,194."""
    layers = [("conv2d", {"out_channels": 16, "kernel_size": 3, "bias": False})]
    layers += stages("wide_residual", (160, 320, 640), (4, 4, 4), "out_channels")
    graph = Graph()
    chain(
        graph,
        [("input", {})]
        + layers
        + [("batch_norm", {}), ("relu", {})]
        + GAP
        + [("output", {"num_classes": 10})],
    )
    assert analyze(Project(graph, (3, 32, 32))).params == 36479194
