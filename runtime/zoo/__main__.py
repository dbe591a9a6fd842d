"""`python -m runtime.zoo [--readme README.md]`: regenerate assets/templates/*.json, the template
index (assets/template_index.json) and, with --readme, the README table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime.errors import ConvStudioError
from runtime.zoo.generate import TEMPLATE_DIR, update_readme, write_templates
from runtime.zoo.index import INDEX_PATH, write_index


def main(argv: list[str] | None = None) -> int:
    """Write every template file; with --readme also rewrite the table between the README's
    markers."""
    parser = argparse.ArgumentParser(prog="python -m runtime.zoo", description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=TEMPLATE_DIR, help="folder for NAME.json (default: %(default)s)"
    )
    parser.add_argument("--readme", type=Path, help="README whose template table to regenerate")
    parser.add_argument(
        "--index",
        type=Path,
        help=f"template index to write (default: {INDEX_PATH} when --out is the default folder)",
    )
    args = parser.parse_args(argv)
    index = args.index or (INDEX_PATH if args.out == TEMPLATE_DIR else None)
    try:
        paths = write_templates(args.out)
        print(f"wrote {len(paths)} templates to {args.out}")
        if index is not None:
            print(f"wrote the template index {write_index(args.out, index)}")
        if args.readme:
            changed = update_readme(args.readme, args.out)
            print(f"{args.readme}: template table {'updated' if changed else 'already current'}")
    except ConvStudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
