"""`convstudio explain FILE --weights CKPT --image IMG`: top classes and an attribution map as
PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from runtime.cli.insight_common import add_model_arguments, open_model
from runtime.insight.attribution import attribute
from runtime.insight.methods import METHODS, TITLES
from runtime.insight.errors import InsightSettingError
from runtime.insight.image_file import read_image
from runtime.insight.predict import predict
from runtime.insight.render import save_explanation


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `explain` sub-command."""
    p = subparsers.add_parser(
        "explain",
        help="why the trained network classifies an image as it does",
        description="Print the top classes for an image and write its attribution "
        "map (drawn over the preprocessed image, with a colour bar) as PNG.",
    )
    add_model_arguments(p)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--image", type=Path, help="any picture (resized and cropped to the network's input)"
    )
    source.add_argument("--sample", type=int, help="index of a validation image instead of a file")
    p.add_argument(
        "--node", help="layer for Grad-CAM (default: the deepest layer with a spatial output)"
    )
    p.add_argument(
        "--method", choices=METHODS, default="gradcam", help="attribution method (default gradcam)"
    )
    p.add_argument(
        "--target", type=int, help="class index to explain (default: the predicted class)"
    )
    p.add_argument("--top", type=int, default=5, help="how many classes to print (default 5)")
    p.add_argument("-o", "--out", type=Path, required=True, help="PNG file to write")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Predict, attribute, draw."""
    session = open_model(args)
    if args.image is not None:
        image = read_image(args.image, session.project.input_shape)
        source = args.image.name
    else:
        if not 0 <= args.sample < len(session.val):
            raise InsightSettingError(
                "--sample", f"the validation set has images 0…{len(session.val) - 1}"
            )
        image = session.val.images[args.sample]
        label = session.classes[session.val.labels[args.sample]]
        source = f"validation image {args.sample} (label {label})"
    if args.target is not None and not 0 <= args.target < len(session.classes):
        raise InsightSettingError(
            "--target", f"the network has classes 0…{len(session.classes) - 1}"
        )
    pixels = session.pixels(image[None])
    prediction = predict(session, pixels, max(1, args.top))
    for index, name, prob in prediction.top:
        print(f"{prob:7.2%}  {name} (class {index})")
    amap = attribute(session, pixels, args.method, args.target, args.node)[0]
    where = f" at '{amap.node}'" if amap.node else ""
    caption = f"{source}: {TITLES[args.method]}{where} for '{session.classes[amap.target]}'"
    save_explanation(args.out, image, amap, caption)
    print(f"wrote {args.out}")
    return 0
