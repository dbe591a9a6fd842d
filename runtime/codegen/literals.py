"""User text and values as Python source that reads back exactly and can never become code."""

from __future__ import annotations

import math
from typing import Any

from runtime.codegen.errors import ExportError


def _escape(ch: str) -> str:
    """The backslash escape of one character (\\t, \\xNN, \\uNNNN or \\UNNNNNNNN)."""
    code = ord(ch)
    if ch == "\t":
        return "\\t"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def docstring_text(text: str, multiline: bool = False) -> str:
    """`text` for the inside of a triple-double-quoted docstring.

    Backslashes and every double quote are escaped (so no `\"\"\"` and no trailing quote or
    backslash can end the string early); characters that are not printable (control and format
    characters, bidi overrides, NUL, line separators) become escapes, so the file stays valid UTF-8
    and shows what it holds. The docstring reads back as `text`, except that a lone surrogate reads
    back as the six characters of its escape (as `text.encode("utf-8", "backslashreplace")` shows
    it): a docstring that cannot be encoded would break tools that read it, torch among them. With
    `multiline`, newlines stay real line breaks.
    """
    out = []
    for ch in text:
        if "\ud800" <= ch <= "\udfff":
            out.append("\\" + _escape(ch))
        elif ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n" and multiline:
            out.append("\n")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(_escape(ch))
    return "".join(out)


def string_literal(text: str) -> str:
    """A Python string literal for `text`, ASCII and printable only where `repr` would not be."""
    if not isinstance(text, str):
        raise ExportError(f"expected text, got {type(text).__name__}")
    return "'" + "".join(_literal_char(ch) for ch in text) + "'"


def _literal_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == "'":
        return "\\'"
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    return ch if ch.isprintable() else _escape(ch)


def literal(value: Any) -> str:
    """Python source for a plain value (None, bool, int, float, str; tuples, lists and str-keyed
    dicts of them).

    Non-finite floats become `float('inf')` / `float('nan')`; anything else raises ExportError.
    """
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)
        if math.isnan(value):
            return "float('nan')"
        return "float('inf')" if value > 0 else "-float('inf')"
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return "{" + ", ".join(f"{string_literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise ExportError(f"a value of type {type(value).__name__} cannot be written into Python code")
