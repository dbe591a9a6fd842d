"""Identifiers in generated code: checked against keywords, builtins and the file's own names."""

from __future__ import annotations

import builtins
import keyword
import re
import sys
from collections.abc import Iterable

PYTHON_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
"""Keywords, soft keywords and builtins: a generated name never takes one of these."""

IMPORTED_MODULES = frozenset(
    {"torch", "pathlib", "safetensors", "numpy", "PIL", "typing", "functools"}
)
"""Packages an exported file imports (or hands data to): a file of that name would import itself."""

_ASCII_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_plain_identifier(name: object) -> bool:
    """True for an ASCII identifier that is not a keyword and not a dunder name."""
    return (
        isinstance(name, str)
        and bool(_ASCII_IDENT.match(name))
        and not keyword.iskeyword(name)
        and not name.startswith("__")
    )


def camel_case(text: str, fallback: str = "Network") -> str:
    """A CamelCase ASCII identifier from free text ('LeNet-5' → 'LeNet5'), else `fallback`."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    name = "".join(w[:1].upper() + w[1:] for w in words) or fallback
    return name if name[0].isalpha() else fallback[:3] + name


class NameTable:
    """The names one generated scope uses; `claim` hands out each name once, renaming collisions."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(PYTHON_NAMES) | set(reserved)

    def is_free(self, name: str) -> bool:
        """True when `name` is a plain identifier nobody in this scope uses yet."""
        return is_plain_identifier(name) and name not in self.taken

    def claim(self, wanted: str, suffix: str) -> str:
        """`wanted` when it is free, else the first free of `wanted+suffix`, `wanted+suffix2`, …

        The same claims in the same order always give the same names.
        """
        base = wanted if is_plain_identifier(wanted) else camel_case(wanted, "name")
        candidates = [base, base + suffix]
        candidates += (f"{base}{suffix}{n}" for n in range(2, 10_000))
        for name in candidates:
            if self.is_free(name):
                self.taken.add(name)
                return name
        raise RuntimeError(f"no free name for {wanted!r}")  # unreachable: 10,000 suffixes


def module_stem_problem(stem: str) -> str | None:
    """Why a generated `<stem>.py` would break imports (it hides a package it imports), or None."""
    lowered = stem.lower()
    if lowered in {m.lower() for m in IMPORTED_MODULES} or lowered in sys.stdlib_module_names:
        return (
            f"a file named '{stem}.py' hides Python's '{lowered}' module from the code that "
            "imports it; "
            "choose another file name"
        )
    return None
