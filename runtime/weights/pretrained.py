"""Where pretrained weights for the templates come from: torchvision's ImageNet weight files.

ConvStudio never downloads them: the gallery names the file, the user fetches it on their own
machine and loads it with Train → Load Weights… or `convstudio weights`.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_URL = "https://download.pytorch.org/models/"


@dataclass(frozen=True)
class PretrainedSource:
    """A torchvision weight file a template accepts."""

    enum: str
    file: str

    @property
    def url(self) -> str:
        """Where the user can download the file."""
        return BASE_URL + self.file

    def describe(self) -> str:
        """One line for the gallery."""
        return f"torchvision {self.enum}: {self.file} ({self.url})"


PRETRAINED: dict[str, PretrainedSource] = {
    "alexnet": PretrainedSource("AlexNet_Weights.IMAGENET1K_V1", "alexnet-owt-7be5be79.pth"),
    "vgg16": PretrainedSource("VGG16_Weights.IMAGENET1K_V1", "vgg16-397923af.pth"),
    "vgg19": PretrainedSource("VGG19_Weights.IMAGENET1K_V1", "vgg19-dcbb9e9d.pth"),
    "vgg11_bn": PretrainedSource("VGG11_BN_Weights.IMAGENET1K_V1", "vgg11_bn-6002323d.pth"),
    "vgg13_bn": PretrainedSource("VGG13_BN_Weights.IMAGENET1K_V1", "vgg13_bn-abd245e5.pth"),
    "vgg16_bn": PretrainedSource("VGG16_BN_Weights.IMAGENET1K_V1", "vgg16_bn-6c64b313.pth"),
    "vgg19_bn": PretrainedSource("VGG19_BN_Weights.IMAGENET1K_V1", "vgg19_bn-c79401a0.pth"),
    "resnet18": PretrainedSource("ResNet18_Weights.IMAGENET1K_V1", "resnet18-f37072fd.pth"),
    "resnet34": PretrainedSource("ResNet34_Weights.IMAGENET1K_V1", "resnet34-b627a593.pth"),
    "resnet50": PretrainedSource("ResNet50_Weights.IMAGENET1K_V1", "resnet50-0676ba61.pth"),
    "resnet101": PretrainedSource("ResNet101_Weights.IMAGENET1K_V1", "resnet101-63fe2227.pth"),
    "resnet152": PretrainedSource("ResNet152_Weights.IMAGENET1K_V1", "resnet152-394f9c45.pth"),
    "resnext50_32x4d": PretrainedSource(
        "ResNeXt50_32X4D_Weights.IMAGENET1K_V1", "resnext50_32x4d-7cdf4587.pth"
    ),
    "wide_resnet50_2": PretrainedSource(
        "Wide_ResNet50_2_Weights.IMAGENET1K_V1", "wide_resnet50_2-95faca4d.pth"
    ),
    "densenet121": PretrainedSource(
        "DenseNet121_Weights.IMAGENET1K_V1", "densenet121-a639ec97.pth"
    ),
    "googlenet": PretrainedSource("GoogLeNet_Weights.IMAGENET1K_V1", "googlenet-1378be20.pth"),
    "squeezenet1_0": PretrainedSource(
        "SqueezeNet1_0_Weights.IMAGENET1K_V1", "squeezenet1_0-b66bff10.pth"
    ),
    "squeezenet1_1": PretrainedSource(
        "SqueezeNet1_1_Weights.IMAGENET1K_V1", "squeezenet1_1-b8a52dc0.pth"
    ),
    "mobilenet_v2": PretrainedSource(
        "MobileNet_V2_Weights.IMAGENET1K_V1", "mobilenet_v2-b0353104.pth"
    ),
}
"""Template name → the torchvision weight file of the same architecture."""


def pretrained_for(template: str) -> PretrainedSource | None:
    """The weight file a template accepts, or None when there is no published one."""
    return PRETRAINED.get(template)
