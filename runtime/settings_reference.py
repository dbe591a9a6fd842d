"""The README's reference tables, generated from the settings schemas (a test keeps them equal)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from runtime.data.settings import BY_INPUT_SIZE, DATA_KEYS, default_data
from runtime.training.events import EpochMetrics, StepMetrics
from runtime.training.settings import FIELDS

DEFAULT_DATA_SHAPES = ((1, 28, 28), (1, 8, 8), (3, 32, 32))
"""Input sizes whose default data the reference spells out (one per branch of `default_data`)."""


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{value}`"


def _allowed(
    kind: str, choices: tuple[str, ...], minimum: float | None, maximum: float | None
) -> str:
    if choices:
        return ", ".join(f"`{c}`" for c in choices)
    if kind == "bool":
        return "`true`, `false`"
    if kind == "path":
        return "a file or folder path"
    if kind == "text":
        return "text"
    if kind == "share":
        return f"a fraction 0 < f < 1, or a whole number 1–{maximum:,.0f}"
    whole = kind == "int"
    low = f"{minimum:,.0f}" if whole else f"{minimum:g}"
    high = f"{maximum:,.0f}" if whole else f"{maximum:g}"
    return f"{'whole number' if whole else 'number'} {low}–{high}"


def training_table() -> str:
    """Every key of the `training` section: default, allowed values, meaning."""
    rows = ["| Key | Default | Allowed | Meaning |", "|---|---|---|---|"]
    for f in FIELDS:
        rows.append(
            f"| `{f.name}` | {_value(f.default)} "
            f"| {_allowed(f.kind, f.choices, f.minimum, f.maximum)} "
            f"| {f.help} |"
        )
    return "\n".join(rows)


def data_table() -> str:
    """Every key of the `data` section: default, allowed values, meaning."""
    rows = ["| Key | Default | Allowed | Meaning |", "|---|---|---|---|"]
    for k in DATA_KEYS:
        by_size = k.default == BY_INPUT_SIZE
        shown = f"{BY_INPUT_SIZE} (below)" if by_size else _value(k.default)
        rows.append(
            f"| `{k.name}` | {shown} "
            f"| {_allowed(k.kind, k.choices, k.minimum, k.maximum)} | {k.help} |"
        )
    return "\n".join(rows)


def default_data_table() -> str:
    """What a project without a `data` section trains on, by input size."""
    rows = ["| Input | Default `data` section |", "|---|---|"]
    for shape in DEFAULT_DATA_SHAPES:
        label = {(1, 28, 28): "any other size", (1, 8, 8): "1×8×8", (3, 32, 32): "3 channels"}[
            shape
        ]
        rows.append(f"| {label} | `{_compact(default_data(shape))}` |")
    return "\n".join(rows)


def _compact(doc: dict[str, Any]) -> str:
    import json

    return json.dumps(doc, separators=(", ", ": "))


def metrics_fields() -> str:
    """The fields of the two kinds of metrics.jsonl lines."""
    step = ", ".join(f"`{f.name}`" for f in fields(StepMetrics))
    epoch = ", ".join(
        f"`{f.name}`" for f in fields(EpochMetrics) if f.name not in ("miou", "class_iou")
    )
    return (
        f'- `"kind": "step"` (every `log_every` iterations): {step}.\n'
        f'- `"kind": "epoch"` (each epoch end): {epoch} '
        f"(`confusion` as a list of rows: true class × "
        f"predicted class).\n"
        f"- Segmentation projects add `miou`, `pixel_acc` (the same as `val_accuracy`: the share "
        f"of pixels predicted right, 255 left out) and `class_iou` (per class; null for a class "
        f"neither present nor predicted) to epoch lines; `confusion` then counts pixels, and "
        f"`accuracy` in step lines is the pixel accuracy."
    )


BLOCKS = {
    "training-keys": training_table,
    "data-keys": data_table,
    "default-data": default_data_table,
    "metrics-fields": metrics_fields,
}
"""README marker name → the function that renders the text between its markers."""


def render_readme(text: str) -> str:
    """`text` with every generated block rebuilt (between `<!-- name:start/end -->` markers)."""
    import re

    for name, render in BLOCKS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        text = re.sub(
            re.escape(start) + ".*?" + re.escape(end),
            lambda _, r=render, s=start, e=end: f"{s}\n{r()}\n{e}",
            text,
            flags=re.S,
        )
    return text


if __name__ == "__main__":
    import sys
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent / "README.md"
    updated = render_readme(readme.read_text(encoding="utf-8"))
    if "--write" in sys.argv:
        readme.write_text(updated, encoding="utf-8")
    else:
        print(updated)
