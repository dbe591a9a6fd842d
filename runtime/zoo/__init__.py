"""The template zoo: classic networks built with the Graph API, exact to their reference
implementations."""

from runtime.zoo.registry import TEMPLATES, Template, template
from runtime.zoo import (  # noqa: F401  (importing registers the templates, in gallery order)
    classic,
    resnets,
    densenets,
    multibranch,
    efficient,
    mobile,
    segmentation,
)

__all__ = ["TEMPLATES", "Template", "template"]
