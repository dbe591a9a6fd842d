"""One typed, bounded field: the schema of block parameters and of the project's settings alike.

No torch here: the settings of training and data, and the editor's forms, use it without the blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from blocks.errors import ParamValueError

KINDS = ("int", "float", "bool", "choice", "padding", "text", "path", "share")
"""What a field holds; "padding" is a whole number or one of 'same' and 'valid'; "text" is a string
of at most `maximum` (default 4096) characters; "path" is a non-empty such string naming a file or
folder; "share" is a fraction 0 < f < 1 or a whole count from 1 to `maximum`."""


@dataclass(frozen=True)
class ParamSpec:
    """One typed, bounded parameter of a block, with its default and help text."""

    name: str
    kind: str
    """One of KINDS."""
    default: Any
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def coerce(self, value: Any) -> Any:
        """Return `value` converted to this parameter's type, or raise ParamValueError."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise ParamValueError(self.name, f"expected true or false, got {value!r}")
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            raise ParamValueError(
                self.name, f"expected one of {', '.join(self.choices)}, got {value!r}"
            )
        if self.kind == "text":
            if isinstance(value, str) and len(value) <= int(self.maximum or 4096):
                return value
            raise ParamValueError(
                self.name,
                f"expected text of at most {int(self.maximum or 4096)} characters, "
                f"got {str(value)[:40]!r}",
            )
        if self.kind == "path":
            if isinstance(value, str) and 0 < len(value) <= int(self.maximum or 4096):
                return value
            raise ParamValueError(self.name, f"expected a file or folder path, got {value!r}")
        if self.kind == "share":
            return self._share(value)
        if self.kind == "padding":
            if value in ("same", "valid"):
                return value
            return self._number(value, integer=True)
        if self.kind == "int":
            return self._number(value, integer=True)
        if self.kind == "float":
            return self._number(value, integer=False)
        raise ParamValueError(self.name, f"unknown parameter kind {self.kind!r}")

    def _share(self, value: Any) -> int | float:
        """A fraction below 1 stays a float; from 1 on it is a whole count."""
        number = self._number(value, integer=False)
        if number <= 0:
            raise ParamValueError(self.name, f"expected a fraction (0–1) or a count, got {value!r}")
        if number < 1:
            return number
        if number != int(number):
            raise ParamValueError(
                self.name, f"{value!r} is neither a fraction below 1 nor a whole count"
            )
        return int(number)

    def _number(self, value: Any, integer: bool) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            expected = "a whole number" if integer else "a number"
            if self.kind == "padding":
                expected += " or 'same'"
            raise ParamValueError(self.name, f"expected {expected}, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ParamValueError(self.name, f"expected a finite number, got {value!r}")
        if integer and value != int(value):
            raise ParamValueError(self.name, f"expected a whole number, got {value!r}")
        # bounds first: Python compares ints and floats exactly, so 10**400 is refused (no overflow)
        if self.minimum is not None and value < self.minimum:
            raise ParamValueError(
                self.name, f"must be at least {_fmt(self.minimum)}, got {_fmt(value)}"
            )
        if self.maximum is not None and value > self.maximum:
            raise ParamValueError(
                self.name, f"must be at most {_fmt(self.maximum)}, got {_fmt(value)}"
            )
        if integer:
            return int(value)
        try:
            return float(value)
        except OverflowError:
            raise ParamValueError(
                self.name, f"{_fmt(value)} is too large for a 64-bit float"
            ) from None


def _fmt(x: float) -> str:
    if isinstance(x, int):
        text = str(x)
        return text if len(text) <= 24 else f"{text[:12]}… ({len(text.lstrip('-'))} digits)"
    return str(int(x)) if x.is_integer() else repr(x)
