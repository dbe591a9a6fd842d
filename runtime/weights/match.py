"""Match a weight file's keys to a network's: by name (torchvision's names included), then by order
and shape."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import torch


@dataclass
class MatchReport:
    """Which file key fills which network key, and what did not fit."""

    matched: dict[str, str] = field(default_factory=dict)
    """network key → file key."""
    by_order: list[str] = field(default_factory=list)
    """Network keys matched by order and shape rather than by name."""
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)
    """(network key, its shape, the shape of the file's tensor of that name)."""

    def summary(self) -> str:
        """One line: matched, missing, unexpected and shape-mismatched counts."""
        text = (
            f"{len(self.matched)} matched ({len(self.by_order)} by order and shape), "
            f"{len(self.missing)} missing, {len(self.unexpected)} unexpected, "
            f"{len(self.mismatched)} of another shape"
        )
        return text

    def lines(self, limit: int = 8) -> list[str]:
        """A readable report, listing up to `limit` keys of each kind."""
        out = [self.summary()]
        for title, keys in (
            ("missing (keep their initial values)", self.missing),
            ("unexpected (not used)", self.unexpected),
        ):
            if keys:
                shown = ", ".join(keys[:limit]) + (" …" if len(keys) > limit else "")
                out.append(f"  {title}: {shown}")
        for key, mine, theirs in self.mismatched[:limit]:
            out.append(f"  shape differs: {key} is {list(mine)} here, {list(theirs)} in the file")
        return out


def candidate_names(key: str) -> list[str]:
    """Names a file key may have in a ConvStudio network: itself, dots of its module path turned
    into underscores (torchvision's `layer1.0.conv1.weight` → node `layer1_0`, `conv1.weight`
    inside), and the classifier head's inner `fc` (torchvision's `fc.weight` → `fc.fc.weight`)."""
    parts = key.split(".")
    names = [key]
    for cut in range(2, len(parts)):
        names.append("_".join(parts[:cut]) + "." + ".".join(parts[cut:]))
    if len(parts) >= 2:
        names.append("_".join(parts[:-1]) + "." + parts[-1])
        head = "_".join(parts[:-1])
        names.append(f"{head}.fc.{parts[-1]}")
    # torchvision Sequential indices inside a named stage: features.0 → features_0
    names.append(re.sub(r"\.(\d+)\.", r"_\1.", key, count=1))
    seen, unique = set(), []
    for name in names:
        if name not in seen:
            seen.add(name)
            unique.append(name)
    return unique


def match_state_dict(
    source: Mapping[str, torch.Tensor],
    target: Mapping[str, tuple[int, ...]],
    key_map: Mapping[str, str] | None = None,
    by_order: bool = True,
) -> MatchReport:
    """Pair file tensors with network keys: the project's key map, names, then order and shape."""
    report = MatchReport()
    taken: set[str] = set()
    shapes = {k: tuple(v) for k, v in target.items()}
    for key in source:
        names = ([key_map[key]] if key_map and key in key_map else []) + candidate_names(key)
        for name in names:
            if name in shapes and name not in report.matched:
                if tuple(source[key].shape) == shapes[name]:
                    report.matched[name] = key
                    taken.add(key)
                else:
                    report.mismatched.append((name, shapes[name], tuple(source[key].shape)))
                    taken.add(key)
                break
    if by_order:
        rest_file = [k for k in source if k not in taken]
        rest_net = [
            k
            for k in target
            if k not in report.matched and k not in {m[0] for m in report.mismatched}
        ]
        i = 0
        for name in rest_net:
            if i < len(rest_file) and tuple(source[rest_file[i]].shape) == shapes[name]:
                report.matched[name] = rest_file[i]
                report.by_order.append(name)
                taken.add(rest_file[i])
                i += 1
    report.missing = [
        k for k in target if k not in report.matched and k not in {m[0] for m in report.mismatched}
    ]
    report.unexpected = [k for k in source if k not in taken]
    return report
