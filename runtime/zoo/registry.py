"""The template registry: each classic network's builder with its gallery line and reference
figures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from runtime.project import Project

_UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}


@dataclass(frozen=True)
class Template:
    """A template network: how to build it, its history, and the reference figures it must match."""

    name: str
    title: str
    year: int
    introduced: str
    reference: str
    params: int
    build: Callable[[], Project]
    macs: str | None = None
    macs_source: str = ""
    test_input: tuple[int, int, int] | None = None

    @property
    def reference_macs(self) -> int | None:
        """The published multiply-add figure as a number (None when none is published)."""
        if self.macs is None:
            return None
        value, unit = _parse(self.macs)
        return round(value * _UNITS[unit])

    @property
    def macs_tolerance(self) -> int:
        """Allowed |ours − published|: 1%, or half the last published digit when that is coarser."""
        if self.macs is None:
            return 0
        text, unit = re.fullmatch(r"([0-9.]+)\s*([KMG]?)", self.macs.strip()).groups()
        decimals = len(text.split(".")[1]) if "." in text else 0
        half_digit = 0.5 * 10**-decimals * _UNITS[unit]
        return round(max(0.01 * (self.reference_macs or 0), half_digit))


def _parse(text: str) -> tuple[float, str]:
    match = re.fullmatch(r"([0-9.]+)\s*([KMG]?)", text.strip())
    if match is None:
        raise ValueError(f"bad MAC figure {text!r}: write e.g. '4.09 G'")
    return float(match.group(1)), match.group(2)


Builder = Callable[[], Project]
"""A function that builds a template's Project."""

TEMPLATES: dict[str, Template] = {}
"""Every template by name, in gallery order."""


def template(
    name: str,
    title: str,
    year: int,
    introduced: str,
    reference: str,
    params: int,
    macs: str | None = None,
    macs_source: str = "",
    test_input: tuple[int, int, int] | None = None,
) -> Callable[[Builder], Builder]:
    """Register a builder function as the template `name`."""

    def wrap(build: Builder) -> Builder:
        if name in TEMPLATES:
            raise ValueError(f"template '{name}' is registered twice")
        TEMPLATES[name] = Template(
            name, title, year, introduced, reference, params, build, macs, macs_source, test_input
        )
        return build

    return wrap
