"""`convstudio attack FILE --weights CKPT --eps E`: robust accuracy under FGSM or PGD."""

from __future__ import annotations

import argparse

from runtime.cli.insight_common import add_model_arguments, open_model
from runtime.insight.ablation import accuracy
from runtime.insight.adversarial import check_eps, robust_accuracy
from runtime.insight.methods import ATTACKS
from runtime.insight.errors import InsightSettingError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `attack` sub-command."""
    p = subparsers.add_parser(
        "attack",
        help="validation accuracy under adversarial perturbation",
        description="Perturb every validation image by at most ε per pixel (pixels "
        "scaled to 0–1) to raise its loss, then measure the accuracy.",
    )
    add_model_arguments(p)
    p.add_argument(
        "--eps", type=float, required=True, help="largest change per pixel, 0–1 (e.g. 0.03)"
    )
    p.add_argument("--method", choices=ATTACKS, default="fgsm", help="attack (default fgsm)")
    p.add_argument(
        "--samples", type=int, default=1000, help="validation images to attack (default 1000)"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Attack and print clean and robust accuracy."""
    eps = check_eps(args.eps)
    if args.samples < 1:
        raise InsightSettingError("--samples", "must be at least 1")
    session = open_model(args)
    x, y = session.val_pixels(args.samples)
    clean = accuracy(session, x, y)
    robust = robust_accuracy(session, eps, args.method, args.samples)
    print(
        f"clean accuracy {clean:.2%}; robust accuracy under {args.method.upper()} at ε = {eps:g}: "
        f"{robust:.2%} ({len(y):,} validation images)"
    )
    return 0
