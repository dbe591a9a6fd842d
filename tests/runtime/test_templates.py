"""Every template: loads, analyses cleanly, matches its reference figures, trains a step and
exports."""

from __future__ import annotations

import pytest
import torch

from runtime.analysis import analyze
from runtime.compile import build_model
from runtime.python_export import class_name, python_source
from runtime.zoo import TEMPLATES
from runtime.zoo.generate import load_template

NAMES = list(TEMPLATES)

OUR_MACS = {
    "lenet5": 416_520,
    "alexnet": 714_188_480,
    "alexnet_caffe": 724_406_816,
    "zfnet": 1_168_032_896,
    "vgg11": 7_609_090_048,
    "vgg11_bn": 7_609_090_048,
    "vgg13": 11_308_466_176,
    "vgg13_bn": 11_308_466_176,
    "vgg16": 15_470_264_320,
    "vgg16_bn": 15_470_264_320,
    "vgg19": 19_632_062_464,
    "vgg19_bn": 19_632_062_464,
    "nin": 222_486_528,
    "resnet18": 1_814_073_344,
    "resnet34": 3_663_761_408,
    "resnet50": 4_089_184_256,
    "resnet101": 7_801_405_440,
    "resnet152": 11_513_626_624,
    "resnext50_32x4d": 4_230_479_872,
    "wide_resnet50_2": 11_398_021_120,
    "se_resnet50": 4_091_699_200,
    "preact_resnet18": 555_422_720,
    "resnet20_cifar": 40_551_040,
    "wrn_28_10": 5_243_328_768,
    "densenet121": 2_834_161_664,
    "densenet169": 3_359_843_328,
    "densenet_bc_100": 287_929_692,
    "googlenet": 1_498_376_192,
    "squeezenet1_0": 818_924_576,
    "squeezenet1_1": 349_151_936,
    "mobilenet_v1": 568_740_352,
    "xception": 8_357_403_496,
    "airbench94": 118_147_360,
    "mobilenet_v2": 300_774_272,
    "shufflenet_v2_x1_0": 144_907_992,
    "efficientnet_b0": 385_814_752,
    "unet": 150_428_424_448,
    "unet_small": 580_911_104,
    "fcn32s": 180_925_453_056,
}
"""Our own multiply-add count of each template at its stored input size (changes must be
deliberate)."""

SHAPES = [
    ("lenet5", "conv2", (16, 10, 10)),
    ("lenet5", "avgpool2", (16, 5, 5)),
    ("alexnet_caffe", "conv1", (96, 55, 55)),
    ("alexnet_caffe", "pool1", (96, 27, 27)),
    ("alexnet_caffe", "pool2", (256, 13, 13)),
    ("alexnet_caffe", "pool5", (256, 6, 6)),
    ("alexnet", "pool5", (256, 6, 6)),
    ("zfnet", "conv1", (96, 110, 110)),
    ("zfnet", "pool1", (96, 55, 55)),
    ("zfnet", "conv2", (256, 26, 26)),
    ("zfnet", "pool5", (256, 6, 6)),
    ("vgg16", "pool5", (512, 7, 7)),
    ("vgg19_bn", "relu3_4", (256, 56, 56)),
    ("nin", "mlpconv3", (10, 8, 8)),
    ("resnet50", "maxpool", (64, 56, 56)),
    ("resnet50", "layer1_2", (256, 56, 56)),
    ("resnet50", "layer4_2", (2048, 7, 7)),
    ("resnet18", "layer4_1", (512, 7, 7)),
    ("resnet20_cifar", "layer3_2", (64, 8, 8)),
    ("wrn_28_10", "block3_3", (640, 8, 8)),
    ("densenet121", "denseblock1", (256, 56, 56)),
    ("densenet121", "transition1", (128, 28, 28)),
    ("densenet121", "denseblock4", (1024, 7, 7)),
    ("densenet_bc_100", "denseblock3", (342, 8, 8)),
    ("googlenet", "inception3a", (256, 28, 28)),
    ("googlenet", "inception5b", (1024, 7, 7)),
    ("squeezenet1_0", "conv1", (96, 109, 109)),
    ("squeezenet1_0", "fire9", (512, 13, 13)),
    ("mobilenet_v1", "conv_pw_13_relu", (1024, 7, 7)),
    ("xception", "block3_add", (728, 19, 19)),
    ("xception", "block12_add", (1024, 10, 10)),
    ("airbench94", "whiten", (24, 31, 31)),
    ("airbench94", "pool", (256, 1, 1)),
    ("mobilenet_v2", "conv_last_relu6", (1280, 7, 7)),
    ("shufflenet_v2_x1_0", "stage4_3", (464, 7, 7)),
    ("efficientnet_b0", "stage7_0", (320, 7, 7)),
    ("unet", "enc1_relu2", (64, 568, 568)),
    ("unet", "bottom_relu2", (1024, 28, 28)),
    ("unet", "segmentation", (2, 388, 388)),
    ("fcn32s", "fc6", (4096, 16, 16)),
    ("fcn32s", "upscore", (21, 544, 544)),
    ("fcn32s", "segmentation", (21, 500, 500)),
]
"""Layer output sizes the papers and reference implementations state."""


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One intra-op thread: with pytest-xdist workers on every core, more threads only spin and
    wait."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def analyses():
    """Each stored template and its analysis, computed once."""
    cache = {}

    def get(name):
        if name not in cache:
            project = load_template(name)
            cache[name] = (project, analyze(project))
        return cache[name]

    return get


@pytest.mark.parametrize("name", NAMES)
def test_template_matches_reference(name, analyses):
    """Analyses with no problem; parameters equal the reference exactly; MACs within 1% where
    published."""
    template = TEMPLATES[name]
    project, analysis = analyses(name)
    assert analysis.problems == []
    assert analysis.params == template.params
    assert analysis.macs == OUR_MACS[name]
    if template.reference_macs is not None:
        assert abs(analysis.macs - template.reference_macs) <= template.macs_tolerance
        assert template.macs_tolerance <= max(0.01 * template.reference_macs, 5e6)
    assert project.description and template.reference and template.introduced


def test_mac_tolerance_is_one_percent_or_the_published_rounding():
    """'4.09 G' allows 1%; '0.14 G' allows the ±0.005 G its rounding hides."""
    assert TEMPLATES["resnet50"].macs_tolerance == 40_900_000
    assert TEMPLATES["shufflenet_v2_x1_0"].macs_tolerance == 5_000_000


@pytest.mark.parametrize("name,layer,shape", SHAPES)
def test_layer_shapes(name, layer, shape, analyses):
    """Intermediate sizes match the papers (AlexNet conv1 55×55, pool5 256×6×6, U-Net 388×388 out,
    …)."""
    project, analysis = analyses(name)
    assert analysis.nodes[project.graph.by_name(layer).id].out_shape == shape


def _at_test_size(name: str):
    project = load_template(name)
    if TEMPLATES[name].test_input is not None:
        project.input_shape = TEMPLATES[name].test_input
    return project


@pytest.mark.parametrize("name", NAMES)
def test_template_trains_and_exports(name):
    """Compiles, runs forward + backward (batch 2), and its exported source gives the same
    outputs."""
    project = _at_test_size(name)
    model = build_model(project, seed=0)
    torch.manual_seed(0)
    x = torch.randn(2, *project.input_shape)
    model.train()
    model(x).square().mean().backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert grads and all(g is not None and torch.isfinite(g).all() for g in grads)
    model.eval()
    namespace: dict = {}
    exec(compile(python_source(project), f"<export of {name}>", "exec"), namespace)
    with torch.device("meta"):
        exported = namespace[class_name(project)]()
    exported.load_state_dict(model.state_dict(), assign=True)
    exported.eval()
    with torch.no_grad():
        torch.testing.assert_close(exported(x), model(x), rtol=1e-4, atol=1e-5)
