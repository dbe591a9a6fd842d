"""Inputs for `export`: hostile strings for generated code, a user's module it must not replace."""

from __future__ import annotations

from tests.robustness.corpus.builders import MARKER


USER_MODULE = """from torch import nn


class Gate(nn.Module):
    # the user's own layer, imported by the exported code

    def forward(self, x):
        return x
"""
"""A user's module file that a project's custom node imports (an export must never replace it)."""


def injection_strings() -> dict[str, str]:
    """Strings that would run code if pasted into generated Python unescaped."""
    payload = f'__import__("os").system("touch {MARKER}")'
    return {
        "docstring_break": f'y"""; {payload} #',
        "single_docstring_break": f"y'''; {payload} #",
        "newline_statement": f"x\n{payload}\n",
        "trailing_backslash": "ends with \\",
        "named_escape": "bad \\N{ escape",
        "nul": "a\x00b",
        "lone_surrogate": "a\ud800b",
        "shadow_torch": "torch",
        "shadow_nn": "nn",
        "shadow_F": "F",
    }
